/** Elastic Load Balancing v2 (2015-12-01, awsQuery) operations on target groups. */
import {
  CreateTargetGroup$,
  type CreateTargetGroupInput,
  type CreateTargetGroupOutput,
  DeregisterTargets$,
  type DeregisterTargetsInput,
  DescribeTargetGroups$,
  type DescribeTargetGroupsInput,
  type DescribeTargetGroupsOutput,
  DescribeTargetHealth$,
  type DescribeTargetHealthInput,
  type DescribeTargetHealthOutput,
  type TargetGroup as Elbv2TargetGroup,
  RegisterTargets$,
  type RegisterTargetsInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ControlPlane } from '../model/control-plane';
import { SimError } from '../model/errors';
import type { TargetGroup } from '../model/load-balancers';
import { type Operation, operation } from './operation';
import { coralPagingErrors, type PageLimit, pageOf, pageSize } from './paging';

/** DescribeTargetGroups: PageSize "Valid Range: Minimum value of 1. Maximum value of 400." (default as classic ELB's). */
const TARGET_GROUPS_PAGE: PageLimit = { member: 'pageSize', default: 400, min: 1, max: 400 };
/** More ARNs (or names) in one call is refused: "You cannot describe more than '20' target groups at a time". */
const MAX_DESCRIBED = 20;
const errors = coralPagingErrors('ValidationError', 'ValidationError', 'Invalid Marker');

const view = (tg: TargetGroup): Elbv2TargetGroup => ({
  TargetGroupArn: tg.arn,
  TargetGroupName: tg.name,
  Protocol: tg.protocol as never,
  Port: tg.port,
  VpcId: tg.vpcId,
  HealthCheckProtocol: tg.healthCheckProtocol as never,
  HealthCheckPort: tg.healthCheckPort,
  HealthCheckEnabled: true,
  HealthCheckIntervalSeconds: tg.healthCheckIntervalSeconds,
  HealthCheckTimeoutSeconds: tg.healthCheckTimeoutSeconds,
  HealthyThresholdCount: tg.healthyThresholdCount,
  UnhealthyThresholdCount: tg.unhealthyThresholdCount,
  HealthCheckPath: tg.healthCheckPath,
  Matcher: { HttpCode: tg.matcher },
  LoadBalancerArns: [],
  TargetType: tg.targetType as never,
});

/** The operations by action name. */
export const elbv2Operations = (cp: ControlPlane): Record<string, Operation> => {
  const lbs = cp.loadBalancers;
  return {
    CreateTargetGroup: operation(CreateTargetGroup$, (i: CreateTargetGroupInput): CreateTargetGroupOutput => {
      const tg = lbs.createTargetGroup({
        name: i.Name!,
        protocol: i.Protocol,
        port: i.Port,
        vpcId: i.VpcId,
        targetType: i.TargetType,
        healthCheckProtocol: i.HealthCheckProtocol,
        healthCheckPort: i.HealthCheckPort,
        healthCheckPath: i.HealthCheckPath,
        healthCheckIntervalSeconds: i.HealthCheckIntervalSeconds,
        healthCheckTimeoutSeconds: i.HealthCheckTimeoutSeconds,
        healthyThresholdCount: i.HealthyThresholdCount,
        unhealthyThresholdCount: i.UnhealthyThresholdCount,
        matcher: i.Matcher?.HttpCode,
      });
      return { TargetGroups: [view(tg)] };
    }),
    DescribeTargetGroups: operation(
      DescribeTargetGroups$,
      (i: DescribeTargetGroupsInput): DescribeTargetGroupsOutput => {
        const size = pageSize(i.PageSize, TARGET_GROUPS_PAGE, errors);
        const arns = i.TargetGroupArns ?? [];
        const names = i.Names ?? [];
        if (arns.length > MAX_DESCRIBED || names.length > MAX_DESCRIBED) {
          throw new SimError(
            'ValidationError',
            `You cannot describe more than '${MAX_DESCRIBED}' target groups at a time`,
          );
        }
        const all = [...lbs.targetGroups.values()];
        const rows = all.filter(
          (tg) =>
            (arns.length === 0 || arns.includes(tg.arn)) && (names.length === 0 || names.includes(tg.name)),
        );
        if (arns.length + names.length > 0 && rows.length < arns.length + names.length) {
          throw new SimError('TargetGroupNotFound', 'One or more target groups not found');
        }
        const { page, next } = pageOf(rows, (tg) => tg.arn, { size, token: i.Marker }, errors);
        return { TargetGroups: page.map(view), NextMarker: next };
      },
    ),
    DescribeTargetHealth: operation(
      DescribeTargetHealth$,
      (i: DescribeTargetHealthInput): DescribeTargetHealthOutput => ({
        TargetHealthDescriptions: lbs.targetHealth(
          i.TargetGroupArn!,
          i.Targets?.map((t) => ({ Id: t.Id!, Port: t.Port })),
        ) as DescribeTargetHealthOutput['TargetHealthDescriptions'],
      }),
    ),
    RegisterTargets: operation(RegisterTargets$, (i: RegisterTargetsInput) => {
      lbs.getTargetGroup(i.TargetGroupArn!);
      for (const t of i.Targets ?? []) {
        const instance = cp.autoscaling.instances.get(t.Id ?? '');
        if (!instance || instance.ec2State.Name === 'terminated') {
          throw new SimError(
            'InvalidTarget',
            `The following targets are not in a running state and cannot be registered: '${t.Id}'`,
          );
        }
        lbs.registerTarget(i.TargetGroupArn!, instance.instanceId, instance.privateIp, t.Port);
      }
      return {};
    }),
    DeregisterTargets: operation(DeregisterTargets$, (i: DeregisterTargetsInput) => {
      lbs.getTargetGroup(i.TargetGroupArn!);
      for (const t of i.Targets ?? []) lbs.deregisterTarget(i.TargetGroupArn!, t.Id ?? '');
      return {};
    }),
  };
};
