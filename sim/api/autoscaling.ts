/** Auto Scaling (2011-01-01, awsQuery) operations over the control plane. */
import {
  type ActivitiesType,
  type AutoScalingGroup,
  type AutoScalingGroupNamesType,
  type AutoScalingGroupsType,
  type AutoScalingInstancesType,
  CompleteLifecycleAction$,
  type CompleteLifecycleActionType,
  CreateAutoScalingGroup$,
  type CreateAutoScalingGroupType,
  DeleteAutoScalingGroup$,
  type DeleteAutoScalingGroupType,
  DeleteLifecycleHook$,
  type DeleteLifecycleHookType,
  DescribeAutoScalingGroups$,
  DescribeAutoScalingInstances$,
  type DescribeAutoScalingInstancesType,
  DescribeLifecycleHooks$,
  type DescribeLifecycleHooksAnswer,
  type DescribeLifecycleHooksType,
  DescribeScalingActivities$,
  type DescribeScalingActivitiesType,
  PutLifecycleHook$,
  type PutLifecycleHookType,
  RecordLifecycleActionHeartbeat$,
  type RecordLifecycleActionHeartbeatType,
  SetDesiredCapacity$,
  type SetDesiredCapacityType,
  SetInstanceHealth$,
  type SetInstanceHealthQuery,
  UpdateAutoScalingGroup$,
  type UpdateAutoScalingGroupType,
} from '@aws-sdk/client-auto-scaling';
import type { ControlPlane } from '../model/control-plane';
import { SimError } from '../model/errors';
import type { Group, Instance } from '../model/types';
import { instanceRefreshOperations } from './instance-refresh';
import { type Operation, operation } from './operation';
import { coralPagingErrors, type PageLimit, pageOf, pageSize } from './paging';

// Page sizes from the API reference: DescribeAutoScalingGroups default 50, at most 100;
// DescribeAutoScalingInstances default 50, at most 50; DescribeScalingActivities default 100, at most 100.
const GROUPS_PAGE: PageLimit = { member: 'maxRecords', default: 50, min: 1, max: 100 };
const INSTANCES_PAGE: PageLimit = { member: 'maxRecords', default: 50, min: 1, max: 50 };
const ACTIVITIES_PAGE: PageLimit = { member: 'maxRecords', default: 100, min: 1, max: 100 };
/** InstanceIds and ActivityIds: "Array Members: Maximum number of 50 items". */
const MAX_IDS = 50;
const errors = coralPagingErrors('ValidationError', 'InvalidNextToken');

const tooMany = (member: string, values: readonly string[], max: number) =>
  new SimError(
    'ValidationError',
    `1 validation error detected: Value '[${values.join(', ')}]' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
  );

const instanceView = (i: Instance) => ({
  InstanceId: i.instanceId,
  InstanceType: i.instanceType,
  AvailabilityZone: i.availabilityZone,
  LifecycleState: i.lifecycleState,
  HealthStatus: i.healthStatus,
  LaunchTemplate: {
    LaunchTemplateId: i.launchTemplate.id,
    LaunchTemplateName: i.launchTemplate.name,
    Version: String(i.launchTemplate.version),
  },
  ProtectedFromScaleIn: false,
});

const groupView = (cp: ControlPlane, g: Group): AutoScalingGroup => ({
  AutoScalingGroupName: g.name,
  AutoScalingGroupARN: g.arn,
  LaunchTemplate: {
    LaunchTemplateId: g.launchTemplate.id,
    LaunchTemplateName: g.launchTemplate.name,
    Version: g.launchTemplate.version,
  },
  MinSize: g.minSize,
  MaxSize: g.maxSize,
  DesiredCapacity: g.desiredCapacity,
  DefaultCooldown: 300,
  AvailabilityZones: g.availabilityZones,
  LoadBalancerNames: g.loadBalancerNames,
  TargetGroupARNs: g.targetGroupArns,
  HealthCheckType: g.healthCheckType,
  HealthCheckGracePeriod: g.healthCheckGracePeriod,
  ...(g.defaultInstanceWarmup !== undefined ? { DefaultInstanceWarmup: g.defaultInstanceWarmup } : {}),
  ...(g.maintenancePolicy
    ? {
        InstanceMaintenancePolicy: {
          MinHealthyPercentage: g.maintenancePolicy.minHealthyPercentage,
          MaxHealthyPercentage: g.maintenancePolicy.maxHealthyPercentage,
        },
      }
    : {}),
  Instances: cp.autoscaling.groupInstances(g.name).map(instanceView),
  CreatedTime: new Date(g.createdTime),
  ...(g.deleting ? { Status: 'Delete in progress' } : {}),
  Tags: g.tags.map((t) => ({
    ResourceId: g.name,
    ResourceType: 'auto-scaling-group',
    Key: t.key,
    Value: t.value,
    PropagateAtLaunch: t.propagateAtLaunch,
  })),
  TerminationPolicies: ['Default'],
  NewInstancesProtectedFromScaleIn: false,
});

/** CreateAutoScalingGroup's and UpdateAutoScalingGroup's instance maintenance policy and default warmup. */
const maintenanceInput = (i: {
  InstanceMaintenancePolicy?: { MinHealthyPercentage?: number; MaxHealthyPercentage?: number };
  DefaultInstanceWarmup?: number;
}) => ({
  ...(i.InstanceMaintenancePolicy
    ? {
        maintenancePolicy: {
          minHealthyPercentage: i.InstanceMaintenancePolicy.MinHealthyPercentage,
          maxHealthyPercentage: i.InstanceMaintenancePolicy.MaxHealthyPercentage,
        },
      }
    : {}),
  ...(i.DefaultInstanceWarmup !== undefined ? { defaultInstanceWarmup: i.DefaultInstanceWarmup } : {}),
});

/** The operations by action name. */
export const autoscalingOperations = (cp: ControlPlane): Record<string, Operation> => {
  const asg = cp.autoscaling;
  return {
    ...instanceRefreshOperations(cp),
    CreateAutoScalingGroup: operation(CreateAutoScalingGroup$, (i: CreateAutoScalingGroupType) => {
      const lt = i.LaunchTemplate ?? i.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
      if (!lt) {
        throw new SimError(
          'ValidationError',
          'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
        );
      }
      asg.createGroup({
        name: i.AutoScalingGroupName!,
        minSize: i.MinSize!,
        maxSize: i.MaxSize!,
        desiredCapacity: i.DesiredCapacity,
        launchTemplate: { id: lt.LaunchTemplateId, name: lt.LaunchTemplateName, version: lt.Version },
        loadBalancerNames: i.LoadBalancerNames,
        targetGroupArns: i.TargetGroupARNs,
        healthCheckType: i.HealthCheckType,
        healthCheckGracePeriod: i.HealthCheckGracePeriod,
        availabilityZones: i.AvailabilityZones,
        ...maintenanceInput(i),
        tags: i.Tags?.map((t) => ({
          key: t.Key!,
          value: t.Value ?? '',
          propagateAtLaunch: t.PropagateAtLaunch,
        })),
        hooks: i.LifecycleHookSpecificationList?.map((h) => ({
          hookName: h.LifecycleHookName!,
          transition: h.LifecycleTransition,
          heartbeatTimeout: h.HeartbeatTimeout,
          defaultResult: h.DefaultResult,
          notificationMetadata: h.NotificationMetadata,
        })),
      });
      return {};
    }),
    UpdateAutoScalingGroup: operation(UpdateAutoScalingGroup$, (i: UpdateAutoScalingGroupType) => {
      const lt = i.LaunchTemplate;
      asg.updateGroup(i.AutoScalingGroupName!, {
        minSize: i.MinSize,
        maxSize: i.MaxSize,
        desiredCapacity: i.DesiredCapacity,
        healthCheckType: i.HealthCheckType,
        healthCheckGracePeriod: i.HealthCheckGracePeriod,
        ...maintenanceInput(i),
        launchTemplate: lt
          ? { id: lt.LaunchTemplateId, name: lt.LaunchTemplateName, version: lt.Version }
          : undefined,
      });
      return {};
    }),
    DeleteAutoScalingGroup: operation(DeleteAutoScalingGroup$, (i: DeleteAutoScalingGroupType) => {
      asg.deleteGroup(i.AutoScalingGroupName!, i.ForceDelete ?? false);
      return {};
    }),
    DescribeAutoScalingGroups: operation(
      DescribeAutoScalingGroups$,
      (i: AutoScalingGroupNamesType): AutoScalingGroupsType => {
        const size = pageSize(i.MaxRecords, GROUPS_PAGE, errors)!;
        const names = i.AutoScalingGroupNames ?? [];
        // "By default, you can only specify up to 50 names. You can optionally increase this limit using the
        // MaxRecords property."
        if (names.length > size) {
          throw new SimError(
            'ValidationError',
            `The number of group names that may be passed in is limited to ${size}`,
          );
        }
        const groups = [...asg.groups.values()].filter((g) => names.length === 0 || names.includes(g.name));
        const { page, next } = pageOf(groups, (g) => g.name, { size, token: i.NextToken }, errors);
        return { AutoScalingGroups: page.map((g) => groupView(cp, g)), NextToken: next };
      },
    ),
    DescribeAutoScalingInstances: operation(
      DescribeAutoScalingInstances$,
      (i: DescribeAutoScalingInstancesType): AutoScalingInstancesType => {
        const size = pageSize(i.MaxRecords, INSTANCES_PAGE, errors)!;
        const ids = i.InstanceIds ?? [];
        if (ids.length > MAX_IDS) throw tooMany('instanceIds', ids, MAX_IDS);
        const rows = [...asg.instances.values()].filter(
          (x) => x.lifecycleState !== 'Terminated' && (ids.length === 0 || ids.includes(x.instanceId)),
        );
        const { page, next } = pageOf(rows, (x) => x.instanceId, { size, token: i.NextToken }, errors);
        return {
          AutoScalingInstances: page.map((x) => ({ ...instanceView(x), AutoScalingGroupName: x.groupName })),
          NextToken: next,
        };
      },
    ),
    PutLifecycleHook: operation(PutLifecycleHook$, (i: PutLifecycleHookType) => {
      asg.putLifecycleHook({
        groupName: i.AutoScalingGroupName!,
        hookName: i.LifecycleHookName!,
        transition: i.LifecycleTransition,
        heartbeatTimeout: i.HeartbeatTimeout,
        defaultResult: i.DefaultResult,
        notificationMetadata: i.NotificationMetadata,
      });
      return {};
    }),
    DeleteLifecycleHook: operation(DeleteLifecycleHook$, (i: DeleteLifecycleHookType) => {
      asg.deleteLifecycleHook(i.AutoScalingGroupName!, i.LifecycleHookName!);
      return {};
    }),
    DescribeLifecycleHooks: operation(
      DescribeLifecycleHooks$,
      (i: DescribeLifecycleHooksType): DescribeLifecycleHooksAnswer => {
        const group = asg.getGroup(i.AutoScalingGroupName!);
        const names = i.LifecycleHookNames ?? [];
        return {
          LifecycleHooks: [...group.hooks.values()]
            .filter((h) => names.length === 0 || names.includes(h.name))
            .map((h) => ({
              LifecycleHookName: h.name,
              AutoScalingGroupName: h.groupName,
              LifecycleTransition: h.transition,
              HeartbeatTimeout: h.heartbeatTimeoutSeconds,
              GlobalTimeout: h.globalTimeoutSeconds,
              DefaultResult: h.defaultResult,
              NotificationMetadata: h.notificationMetadata,
            })),
        };
      },
    ),
    RecordLifecycleActionHeartbeat: operation(
      RecordLifecycleActionHeartbeat$,
      (i: RecordLifecycleActionHeartbeatType) => {
        asg.recordHeartbeat({
          groupName: i.AutoScalingGroupName!,
          hookName: i.LifecycleHookName!,
          token: i.LifecycleActionToken,
          instanceId: i.InstanceId,
        });
        return {};
      },
    ),
    CompleteLifecycleAction: operation(CompleteLifecycleAction$, (i: CompleteLifecycleActionType) => {
      asg.completeAction({
        groupName: i.AutoScalingGroupName!,
        hookName: i.LifecycleHookName!,
        token: i.LifecycleActionToken,
        instanceId: i.InstanceId,
        result: i.LifecycleActionResult!,
      });
      return {};
    }),
    SetInstanceHealth: operation(SetInstanceHealth$, (i: SetInstanceHealthQuery) => {
      asg.setInstanceHealth(i.InstanceId!, i.HealthStatus!);
      return {};
    }),
    SetDesiredCapacity: operation(SetDesiredCapacity$, (i: SetDesiredCapacityType) => {
      asg.setDesiredCapacity(i.AutoScalingGroupName!, i.DesiredCapacity!);
      return {};
    }),
    DescribeScalingActivities: operation(
      DescribeScalingActivities$,
      (i: DescribeScalingActivitiesType): ActivitiesType => {
        const size = pageSize(i.MaxRecords, ACTIVITIES_PAGE, errors)!;
        const ids = i.ActivityIds ?? [];
        if (ids.length > MAX_IDS) throw tooMany('activityIds', ids, MAX_IDS);
        // Newest first; an activity's place in the log never changes, so it keys the pages.
        const rows = asg.activities
          .map((a, index) => ({ a, key: String(Number.MAX_SAFE_INTEGER - index).padStart(16, '0') }))
          .filter(
            ({ a }) =>
              (!i.AutoScalingGroupName || a.groupName === i.AutoScalingGroupName) &&
              (ids.length === 0 || ids.includes(a.activityId)),
          );
        const { page, next } = pageOf(rows, (r) => r.key, { size, token: i.NextToken }, errors);
        return {
          Activities: page.map(({ a }) => ({
            ActivityId: a.activityId,
            AutoScalingGroupName: a.groupName,
            Description: a.description,
            Cause: a.cause,
            StartTime: new Date(a.startTime),
            EndTime: a.endTime === undefined ? undefined : new Date(a.endTime),
            StatusCode: a.statusCode,
            StatusMessage: a.statusMessage,
            Progress: a.progress,
          })),
          NextToken: next,
        };
      },
    ),
  };
};
