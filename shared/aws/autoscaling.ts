import {
  AutoScalingClient,
  type AutoScalingClientConfig,
  CancelInstanceRefreshCommand,
  CompleteLifecycleActionCommand,
  CreateAutoScalingGroupCommand,
  type CreateAutoScalingGroupCommandInput,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeInstanceRefreshesCommand,
  DescribeLifecycleHooksCommand,
  DescribeScalingActivitiesCommand,
  PutLifecycleHookCommand,
  type PutLifecycleHookCommandInput,
  RecordLifecycleActionHeartbeatCommand,
  RollbackInstanceRefreshCommand,
  type AutoScalingGroup as SdkGroup,
  type Instance as SdkInstance,
  SetInstanceHealthCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
  type UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { DEFAULT_CLIENT_CONFIG } from './client-config';
import { compact } from './compact';
import {
  type AwsErrorContext,
  GroupNotFoundError,
  InstanceRefreshStateError,
  instanceRefreshErrorCode,
  sdkErrorMessage,
  sdkErrorName,
  toAwsError,
} from './errors';
import {
  type InstanceRefreshDescription,
  type StartRefreshInput,
  toRefreshDescription,
  toSdkPreferences,
} from './instance-refresh';

const SERVICE = 'autoscaling';
/** DescribeAutoScalingInstances takes at most 50 instance ids per call. */
const INSTANCE_IDS_PER_CALL = 50;

/** The result of a lifecycle action: the two values CompleteLifecycleAction accepts. */
export const LifecycleActionResult = { CONTINUE: 'CONTINUE', ABANDON: 'ABANDON' } as const;
export type LifecycleActionResult = (typeof LifecycleActionResult)[keyof typeof LifecycleActionResult];

/** What completing a lifecycle action came to. */
export const CompletionOutcome = {
  completed: 'completed',
  /** "No active Lifecycle Action found": another invocation, a timeout or an operator already finished it. */
  alreadyCompleted: 'already-completed',
} as const;
export type CompletionOutcome = (typeof CompletionOutcome)[keyof typeof CompletionOutcome];

/** What recording a heartbeat came to. */
export const HeartbeatOutcome = {
  recorded: 'recorded',
  /** The action is no longer active (completed or timed out): stop waiting on it. */
  noActiveAction: 'no-active-action',
} as const;
export type HeartbeatOutcome = (typeof HeartbeatOutcome)[keyof typeof HeartbeatOutcome];

/** One instance of a group as Auto Scaling sees it. */
export interface GroupInstance {
  instanceId: string;
  /** `Pending:Wait`, `InService`, `Terminating`, … (the SDK's `LifecycleState` values). */
  lifecycleState: string;
  /** `Healthy` or `Unhealthy`. */
  healthStatus: string;
  availabilityZone?: string;
  launchTemplateId?: string;
  launchTemplateName?: string;
  /** The launch template version the instance was launched from (`"3"`, or `$Latest`/`$Default` as given). */
  launchTemplateVersion?: string;
  protectedFromScaleIn?: boolean;
}

/** An Auto Scaling group, reduced to what healthgate reads. */
export interface GroupDescription {
  name: string;
  arn?: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  /** `EC2` or `ELB` (also `VPC_LATTICE`, `EBS`): which health checks Auto Scaling itself acts on. */
  healthCheckType?: string;
  healthCheckGracePeriodSeconds?: number;
  launchTemplate?: { id?: string; name?: string; version?: string };
  /** Classic load balancer names. */
  loadBalancerNames: string[];
  /** ELBv2 target group ARNs. */
  targetGroupArns: string[];
  /** Subnets, comma-separated (a group in a VPC). */
  vpcZoneIdentifier?: string;
  availabilityZones: string[];
  tags: Record<string, string>;
  instances: GroupInstance[];
  /** Set while the group is being deleted (`Delete in progress`). */
  status?: string;
}

/** A lifecycle hook of a group. */
export interface LifecycleHookDescription {
  name: string;
  groupName: string;
  transition: string;
  heartbeatTimeoutSeconds?: number;
  globalTimeoutSeconds?: number;
  defaultResult?: string;
  notificationMetadata?: string;
}

/** One instance as DescribeAutoScalingInstances reports it. */
export interface AutoScalingInstance {
  instanceId: string;
  groupName: string;
  lifecycleState: string;
  healthStatus: string;
  availabilityZone?: string;
  launchTemplateVersion?: string;
}

/** One scaling activity of a group. */
export interface ScalingActivity {
  activityId: string;
  statusCode: string;
  description?: string;
  cause?: string;
  statusMessage?: string;
  startTime?: Date;
  endTime?: Date;
}

/**
 * The lifecycle action a heartbeat or a completion lands on. The gate names it by the instance it judged (with
 * the group and hook), never by the token an event carried: a token paired with another instance's id would
 * otherwise complete an action the gate never judged. Only an ABANDON may name the action by its token alone (a
 * malformed event whose instance id is unusable): abandoning is fail-closed whoever the action belongs to.
 */
export type CompletionRef =
  | { group: string; hook: string; instanceId: string; result: LifecycleActionResult }
  | { group: string; hook: string; token: string; result: typeof LifecycleActionResult.ABANDON };

/** The action of one instance for one hook: what heartbeats name. */
export type InstanceActionRef = { group: string; hook: string; instanceId: string };

/** The Auto Scaling calls healthgate makes. */
export interface AutoScalingAdapter {
  /** DescribeAutoScalingGroups for one group; throws {@link GroupNotFoundError} when it does not exist. */
  describeGroup(name: string): Promise<GroupDescription>;
  describeLifecycleHooks(group: string): Promise<LifecycleHookDescription[]>;
  /**
   * RecordLifecycleActionHeartbeat for the instance's action (by instance id, never by token); `no-active-action`
   * when the action has already ended.
   */
  recordHeartbeat(ref: InstanceActionRef): Promise<HeartbeatOutcome>;
  /**
   * CompleteLifecycleAction, sent once: `already-completed` when Auto Scaling answers "No active Lifecycle Action
   * found" (someone already finished it). Never retried on that answer; the SDK does not retry it either
   * (a 400 `ValidationError` is neither throttling nor transient).
   */
  completeLifecycleAction(ref: CompletionRef): Promise<CompletionOutcome>;
  /** SetInstanceHealth with ShouldRespectGracePeriod false: Auto Scaling replaces an Unhealthy instance at once. */
  setInstanceHealth(instanceId: string, status?: 'Healthy' | 'Unhealthy'): Promise<void>;
  /** DescribeAutoScalingInstances, in batches of 50, following NextToken. Unknown ids are simply absent. */
  describeInstances(instanceIds: readonly string[]): Promise<AutoScalingInstance[]>;
  createAutoScalingGroup(input: CreateAutoScalingGroupCommandInput): Promise<void>;
  updateAutoScalingGroup(input: UpdateAutoScalingGroupCommandInput): Promise<void>;
  /** DeleteAutoScalingGroup; `forceDelete` (default true) terminates its instances too. */
  deleteAutoScalingGroup(name: string, options?: { forceDelete?: boolean }): Promise<void>;
  putLifecycleHook(input: PutLifecycleHookCommandInput): Promise<void>;
  /** DescribeScalingActivities for a group, newest first, following NextToken up to `limit` (default 100). */
  describeScalingActivities(group: string, options?: { limit?: number }): Promise<ScalingActivity[]>;
  /**
   * StartInstanceRefresh (Rolling) to a launch template version; its id. Throws {@link InstanceRefreshStateError}
   * (`InstanceRefreshInProgress`) when the group already has an active refresh.
   */
  startInstanceRefresh(input: StartRefreshInput): Promise<string>;
  /** DescribeInstanceRefreshes of a group (or the named ones), newest first, following NextToken. */
  describeInstanceRefreshes(
    group: string,
    options?: { ids?: readonly string[] },
  ): Promise<InstanceRefreshDescription[]>;
  /**
   * CancelInstanceRefresh of the group's active refresh (the API names no refresh: check it is yours first); its id.
   * Throws {@link InstanceRefreshStateError} (`ActiveInstanceRefreshNotFound`) when none is active.
   */
  cancelInstanceRefresh(group: string): Promise<string>;
  /**
   * RollbackInstanceRefresh of the group's active refresh (check it is yours first); its id. Throws
   * {@link InstanceRefreshStateError}: `ActiveInstanceRefreshNotFound`, or `IrreversibleInstanceRefresh` (no desired
   * configuration, or the group launches `$Latest`/`$Default`).
   */
  rollbackInstanceRefresh(group: string): Promise<string>;
}

/**
 * A client with healthgate's defaults: adaptive retries, bounded attempts, endpoint from the SDK's env.
 * `overrides` is for tests (a request handler) and tuning; never pass an endpoint.
 */
export function createAutoScalingClient(overrides: AutoScalingClientConfig = {}): AutoScalingClient {
  return new AutoScalingClient({ ...DEFAULT_CLIENT_CONFIG, ...overrides });
}

/** Whether `error` is Auto Scaling's "No active Lifecycle Action found" (a `ValidationError`). */
export function isNoActiveLifecycleAction(error: unknown): boolean {
  return (
    sdkErrorName(error) === 'ValidationError' &&
    sdkErrorMessage(error).startsWith('No active Lifecycle Action found')
  );
}

/**
 * The Auto Scaling adapter.
 *
 * @example
 * const autoscaling = createAutoScalingAdapter();
 * const outcome = await autoscaling.completeLifecycleAction({ group, hook, instanceId, result: 'ABANDON' });
 */
export function createAutoScalingAdapter(
  client: AutoScalingClient = createAutoScalingClient(),
): AutoScalingAdapter {
  const context = (operation: string, params: Record<string, unknown>): AwsErrorContext => ({
    service: SERVICE,
    operation,
    params,
  });

  return {
    async describeGroup(name) {
      const ctx = context('DescribeAutoScalingGroups', { AutoScalingGroupNames: [name] });
      let group: SdkGroup | undefined;
      let nextToken: string | undefined;
      try {
        // One name fits one page, but the answer is a list: follow NextToken rather than trust that.
        do {
          const out = await client.send(
            new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name], NextToken: nextToken }),
          );
          group = (out.AutoScalingGroups ?? []).find((g) => g.AutoScalingGroupName === name);
          nextToken = out.NextToken;
        } while (!group && nextToken);
      } catch (error) {
        throw toAwsError(ctx, error);
      }
      if (!group) {
        throw new GroupNotFoundError(name, ctx);
      }
      return toGroupDescription(group);
    },

    async describeLifecycleHooks(group) {
      const input = { AutoScalingGroupName: group };
      try {
        const out = await client.send(new DescribeLifecycleHooksCommand(input));
        return (out.LifecycleHooks ?? []).map((hook) =>
          compact({
            name: hook.LifecycleHookName ?? '',
            groupName: hook.AutoScalingGroupName ?? group,
            transition: hook.LifecycleTransition ?? '',
            heartbeatTimeoutSeconds: hook.HeartbeatTimeout,
            globalTimeoutSeconds: hook.GlobalTimeout,
            defaultResult: hook.DefaultResult,
            notificationMetadata: hook.NotificationMetadata,
          }),
        );
      } catch (error) {
        throw toAwsError(context('DescribeLifecycleHooks', input), error);
      }
    },

    async recordHeartbeat(ref) {
      try {
        await client.send(
          new RecordLifecycleActionHeartbeatCommand({
            AutoScalingGroupName: ref.group,
            LifecycleHookName: ref.hook,
            InstanceId: ref.instanceId,
          }),
        );
        return HeartbeatOutcome.recorded;
      } catch (error) {
        if (isNoActiveLifecycleAction(error)) {
          return HeartbeatOutcome.noActiveAction;
        }
        throw toAwsError(context('RecordLifecycleActionHeartbeat', safeRef(ref)), error);
      }
    },

    async completeLifecycleAction(ref) {
      try {
        await client.send(
          new CompleteLifecycleActionCommand({
            AutoScalingGroupName: ref.group,
            LifecycleHookName: ref.hook,
            ...('instanceId' in ref ? { InstanceId: ref.instanceId } : { LifecycleActionToken: ref.token }),
            LifecycleActionResult: ref.result,
          }),
        );
        return CompletionOutcome.completed;
      } catch (error) {
        if (isNoActiveLifecycleAction(error)) {
          return CompletionOutcome.alreadyCompleted;
        }
        throw toAwsError(
          context('CompleteLifecycleAction', { ...safeRef(ref), LifecycleActionResult: ref.result }),
          error,
        );
      }
    },

    async setInstanceHealth(instanceId, status = 'Unhealthy') {
      const input = { InstanceId: instanceId, HealthStatus: status, ShouldRespectGracePeriod: false };
      try {
        await client.send(new SetInstanceHealthCommand(input));
      } catch (error) {
        throw toAwsError(context('SetInstanceHealth', input), error);
      }
    },

    async describeInstances(instanceIds) {
      const result: AutoScalingInstance[] = [];
      for (let start = 0; start < instanceIds.length; start += INSTANCE_IDS_PER_CALL) {
        const batch = instanceIds.slice(start, start + INSTANCE_IDS_PER_CALL);
        let nextToken: string | undefined;
        do {
          const input = { InstanceIds: batch, NextToken: nextToken };
          try {
            const out = await client.send(new DescribeAutoScalingInstancesCommand(input));
            for (const instance of out.AutoScalingInstances ?? []) {
              result.push(
                compact({
                  instanceId: instance.InstanceId ?? '',
                  groupName: instance.AutoScalingGroupName ?? '',
                  lifecycleState: instance.LifecycleState ?? '',
                  healthStatus: instance.HealthStatus ?? '',
                  availabilityZone: instance.AvailabilityZone,
                  launchTemplateVersion: instance.LaunchTemplate?.Version,
                }),
              );
            }
            nextToken = out.NextToken;
          } catch (error) {
            throw toAwsError(context('DescribeAutoScalingInstances', { InstanceIds: batch }), error);
          }
        } while (nextToken);
      }
      return result;
    },

    async createAutoScalingGroup(input) {
      try {
        await client.send(new CreateAutoScalingGroupCommand(input));
      } catch (error) {
        throw toAwsError(
          context('CreateAutoScalingGroup', { AutoScalingGroupName: input.AutoScalingGroupName }),
          error,
        );
      }
    },

    async updateAutoScalingGroup(input) {
      try {
        await client.send(new UpdateAutoScalingGroupCommand(input));
      } catch (error) {
        throw toAwsError(
          context('UpdateAutoScalingGroup', { AutoScalingGroupName: input.AutoScalingGroupName }),
          error,
        );
      }
    },

    async deleteAutoScalingGroup(name, options = {}) {
      const input = { AutoScalingGroupName: name, ForceDelete: options.forceDelete ?? true };
      try {
        await client.send(new DeleteAutoScalingGroupCommand(input));
      } catch (error) {
        throw toAwsError(context('DeleteAutoScalingGroup', input), error);
      }
    },

    async putLifecycleHook(input) {
      try {
        await client.send(new PutLifecycleHookCommand(input));
      } catch (error) {
        throw toAwsError(
          context('PutLifecycleHook', {
            AutoScalingGroupName: input.AutoScalingGroupName,
            LifecycleHookName: input.LifecycleHookName,
          }),
          error,
        );
      }
    },

    async describeScalingActivities(group, options = {}) {
      const limit = options.limit ?? 100;
      const result: ScalingActivity[] = [];
      let nextToken: string | undefined;
      do {
        const input = { AutoScalingGroupName: group, NextToken: nextToken };
        try {
          const out = await client.send(new DescribeScalingActivitiesCommand(input));
          for (const activity of out.Activities ?? []) {
            result.push(
              compact({
                activityId: activity.ActivityId ?? '',
                statusCode: activity.StatusCode ?? '',
                description: activity.Description,
                cause: activity.Cause,
                statusMessage: activity.StatusMessage,
                startTime: activity.StartTime,
                endTime: activity.EndTime,
              }),
            );
          }
          nextToken = out.NextToken;
        } catch (error) {
          throw toAwsError(context('DescribeScalingActivities', { AutoScalingGroupName: group }), error);
        }
      } while (nextToken && result.length < limit);
      return result.slice(0, limit);
    },

    async startInstanceRefresh(input) {
      const ctx = context('StartInstanceRefresh', { AutoScalingGroupName: input.group });
      try {
        const out = await client.send(
          new StartInstanceRefreshCommand({
            AutoScalingGroupName: input.group,
            Strategy: 'Rolling',
            DesiredConfiguration: {
              LaunchTemplate: compact({
                LaunchTemplateId: input.launchTemplate.id,
                LaunchTemplateName: input.launchTemplate.id ? undefined : input.launchTemplate.name,
                Version: input.launchTemplate.version,
              }),
            },
            Preferences: toSdkPreferences(input.preferences),
          }),
        );
        return out.InstanceRefreshId ?? '';
      } catch (error) {
        throw refreshError(ctx, input.group, error);
      }
    },

    async describeInstanceRefreshes(group, options = {}) {
      const result: InstanceRefreshDescription[] = [];
      let nextToken: string | undefined;
      do {
        const input = {
          AutoScalingGroupName: group,
          ...(options.ids?.length ? { InstanceRefreshIds: [...options.ids] } : {}),
          NextToken: nextToken,
        };
        try {
          const out = await client.send(new DescribeInstanceRefreshesCommand(input));
          for (const refresh of out.InstanceRefreshes ?? [])
            result.push(toRefreshDescription(refresh, group));
          nextToken = out.NextToken;
        } catch (error) {
          throw toAwsError(context('DescribeInstanceRefreshes', { AutoScalingGroupName: group }), error);
        }
      } while (nextToken);
      return result;
    },

    async cancelInstanceRefresh(group) {
      const ctx = context('CancelInstanceRefresh', { AutoScalingGroupName: group });
      try {
        const out = await client.send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: group }));
        return out.InstanceRefreshId ?? '';
      } catch (error) {
        throw refreshError(ctx, group, error);
      }
    },

    async rollbackInstanceRefresh(group) {
      const ctx = context('RollbackInstanceRefresh', { AutoScalingGroupName: group });
      try {
        const out = await client.send(new RollbackInstanceRefreshCommand({ AutoScalingGroupName: group }));
        return out.InstanceRefreshId ?? '';
      } catch (error) {
        throw refreshError(ctx, group, error);
      }
    },
  };
}

/** The typed error of an instance refresh call: its documented state errors by name, anything else as is. */
function refreshError(ctx: AwsErrorContext, group: string, error: unknown) {
  const code = instanceRefreshErrorCode(error);
  return code ? new InstanceRefreshStateError(code, group, ctx, { cause: error }) : toAwsError(ctx, error);
}

function safeRef(ref: InstanceActionRef | CompletionRef): Record<string, unknown> {
  // The token authorises completing the action: keep it out of logs and error context.
  return {
    AutoScalingGroupName: ref.group,
    LifecycleHookName: ref.hook,
    ...('instanceId' in ref ? { InstanceId: ref.instanceId } : { by: 'LifecycleActionToken' }),
  };
}

function toGroupDescription(group: SdkGroup): GroupDescription {
  const tags: Record<string, string> = {};
  for (const tag of group.Tags ?? []) {
    if (tag.Key !== undefined) {
      tags[tag.Key] = tag.Value ?? '';
    }
  }
  const template =
    group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  return compact({
    name: group.AutoScalingGroupName ?? '',
    arn: group.AutoScalingGroupARN,
    minSize: group.MinSize ?? 0,
    maxSize: group.MaxSize ?? 0,
    desiredCapacity: group.DesiredCapacity ?? 0,
    healthCheckType: group.HealthCheckType,
    healthCheckGracePeriodSeconds: group.HealthCheckGracePeriod,
    launchTemplate: template
      ? compact({
          id: template.LaunchTemplateId,
          name: template.LaunchTemplateName,
          version: template.Version,
        })
      : undefined,
    loadBalancerNames: group.LoadBalancerNames ?? [],
    targetGroupArns: group.TargetGroupARNs ?? [],
    vpcZoneIdentifier: group.VPCZoneIdentifier || undefined,
    availabilityZones: group.AvailabilityZones ?? [],
    tags,
    instances: (group.Instances ?? []).map(toGroupInstance),
    status: group.Status,
  });
}

function toGroupInstance(instance: SdkInstance): GroupInstance {
  return compact({
    instanceId: instance.InstanceId ?? '',
    lifecycleState: instance.LifecycleState ?? '',
    healthStatus: instance.HealthStatus ?? '',
    availabilityZone: instance.AvailabilityZone,
    launchTemplateId: instance.LaunchTemplate?.LaunchTemplateId,
    launchTemplateName: instance.LaunchTemplate?.LaunchTemplateName,
    launchTemplateVersion: instance.LaunchTemplate?.Version,
    protectedFromScaleIn: instance.ProtectedFromScaleIn,
  });
}
