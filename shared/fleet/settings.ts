/**
 * The gated fleet's group settings: the one source of truth for the lifecycle hook, the group's health check and
 * the load balancer's health check. The CloudFormation templates in `infra/templates/` must match these values
 * (the infra tests assert it), and a deploy driver creates groups from them.
 */
import type { LifecycleHookSpecification } from '@aws-sdk/client-auto-scaling';

/** The lifecycle transition the gate holds. */
export const LIFECYCLE_TRANSITION_LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING' as const;

/** What Auto Scaling does when the hook times out; ABANDON is the fail-closed outcome. */
export const HookDefaultResult = { ABANDON: 'ABANDON', CONTINUE: 'CONTINUE' } as const;
export type HookDefaultResult = (typeof HookDefaultResult)[keyof typeof HookDefaultResult];

/** The group's own health-check source; ELB makes Auto Scaling replace instances the load balancer fails. */
export const GroupHealthCheckType = { ELB: 'ELB', EC2: 'EC2' } as const;
export type GroupHealthCheckType = (typeof GroupHealthCheckType)[keyof typeof GroupHealthCheckType];

/**
 * The load balancer's health check a gated fleet is created with (classic ELB terms; the ALB target group uses the
 * same numbers). What the gate reads back from a load balancer is shared/gate's `LbHealthCheckSettings`.
 */
export interface LbHealthCheckSpec {
  protocol: 'HTTP';
  /** The instance port the check (and the app) listens on. */
  port: number;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** HTTP codes counted healthy; a classic ELB counts 200 only, so the target group matches that. */
  successCodes: string;
}

/** Everything a gated group is created with. */
export interface FleetSettings {
  lifecycleHook: {
    name: string;
    transition: typeof LIFECYCLE_TRANSITION_LAUNCHING;
    defaultResult: HookDefaultResult;
    heartbeatTimeoutSeconds: number;
  };
  groupHealthCheck: {
    type: GroupHealthCheckType;
    /** Counted from the end of the lifecycle hook (InService), not from launch. */
    gracePeriodSeconds: number;
  };
  /** The port the app serves on, traffic and `/health` alike. */
  appPort: number;
  loadBalancerHealthCheck: LbHealthCheckSpec;
  /** Connection draining (classic) / deregistration delay (ALB), in seconds. */
  drainingSeconds: number;
  /**
   * The group's instance maintenance policy, in percent of desired capacity: a replacement (an instance refresh, an
   * instance the gate or the load balancer found unhealthy) launches before the instance it replaces goes.
   */
  instanceMaintenance: { minHealthyPercentage: number; maxHealthyPercentage: number };
}

/**
 * The fleet's settings.
 *
 * - Heartbeat timeout 300 s: a gate that stops heartbeating (crashed, throttled, never got the event) leaves an
 *   instance in Pending:Wait for at most five minutes before the hook's ABANDON; its global timeout
 *   (100 × 300 s) is far beyond any gate deadline.
 * - Grace period 300 s: it starts after the hook completes, when the instance is registered with the load
 *   balancer, and covers the LB's own time to healthy (2 × 15 s + 5 s) and the gate's LB verification window
 *   (the default policy's `lbVerifySeconds`, 300 s), so an instance the LB rejects is judged by the gate, with its
 *   reason, before Auto Scaling replaces it.
 */
export const FLEET_SETTINGS = {
  lifecycleHook: {
    name: 'healthgate-launch',
    transition: LIFECYCLE_TRANSITION_LAUNCHING,
    defaultResult: HookDefaultResult.ABANDON,
    heartbeatTimeoutSeconds: 300,
  },
  groupHealthCheck: {
    type: GroupHealthCheckType.ELB,
    gracePeriodSeconds: 300,
  },
  appPort: 80,
  loadBalancerHealthCheck: {
    protocol: 'HTTP',
    port: 80,
    path: '/health',
    intervalSeconds: 15,
    timeoutSeconds: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 10,
    successCodes: '200',
  },
  drainingSeconds: 30,
  // The console's "launch before terminating": never below desired capacity, one instance over it at a time (a
  // maximum that allows none makes Auto Scaling launch one before it terminates one).
  instanceMaintenance: { minHealthyPercentage: 100, maxHealthyPercentage: 110 },
} as const satisfies FleetSettings;

/** The classic ELB health-check target string, e.g. `HTTP:80/health`. */
export function classicHealthCheckTarget(
  check: LbHealthCheckSpec = FLEET_SETTINGS.loadBalancerHealthCheck,
): string {
  return `${check.protocol}:${check.port}${check.path}`;
}

/**
 * The classic ELB `HealthCheck` (ConfigureHealthCheck / the template's `HealthCheck`) for the settings.
 *
 * @example
 * await elb.send(new ConfigureHealthCheckCommand({ LoadBalancerName: 'web', HealthCheck: classicHealthCheck() }));
 */
export function classicHealthCheck(check: LbHealthCheckSpec = FLEET_SETTINGS.loadBalancerHealthCheck): {
  Target: string;
  Interval: number;
  Timeout: number;
  HealthyThreshold: number;
  UnhealthyThreshold: number;
} {
  return {
    Target: classicHealthCheckTarget(check),
    Interval: check.intervalSeconds,
    Timeout: check.timeoutSeconds,
    HealthyThreshold: check.healthyThreshold,
    UnhealthyThreshold: check.unhealthyThreshold,
  };
}

/**
 * The ALB target group's health-check fields (CreateTargetGroup / ModifyTargetGroup), equivalent to the classic check.
 *
 * @example
 * await elbv2.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80, VpcId, ...targetGroupHealthCheck() }));
 */
export function targetGroupHealthCheck(check: LbHealthCheckSpec = FLEET_SETTINGS.loadBalancerHealthCheck): {
  HealthCheckEnabled: true;
  HealthCheckProtocol: 'HTTP';
  HealthCheckPort: string;
  HealthCheckPath: string;
  HealthCheckIntervalSeconds: number;
  HealthCheckTimeoutSeconds: number;
  HealthyThresholdCount: number;
  UnhealthyThresholdCount: number;
  Matcher: { HttpCode: string };
} {
  return {
    HealthCheckEnabled: true,
    HealthCheckProtocol: check.protocol,
    HealthCheckPort: String(check.port),
    HealthCheckPath: check.path,
    HealthCheckIntervalSeconds: check.intervalSeconds,
    HealthCheckTimeoutSeconds: check.timeoutSeconds,
    HealthyThresholdCount: check.healthyThreshold,
    UnhealthyThresholdCount: check.unhealthyThreshold,
    Matcher: { HttpCode: check.successCodes },
  };
}

/**
 * The hook as CreateAutoScalingGroup's `LifecycleHookSpecificationList` entry: declared with the group so that
 * no instance launches before the hook exists.
 *
 * @example
 * await asg.send(new CreateAutoScalingGroupCommand({ ..., LifecycleHookSpecificationList: [launchHookSpecification()] }));
 */
export function launchHookSpecification(
  settings: FleetSettings = FLEET_SETTINGS,
): LifecycleHookSpecification {
  return {
    LifecycleHookName: settings.lifecycleHook.name,
    LifecycleTransition: settings.lifecycleHook.transition,
    DefaultResult: settings.lifecycleHook.defaultResult,
    HeartbeatTimeout: settings.lifecycleHook.heartbeatTimeoutSeconds,
  };
}

/** The group's InstanceMaintenancePolicy for CreateAutoScalingGroup / UpdateAutoScalingGroup. */
export function instanceMaintenancePolicy(settings: FleetSettings = FLEET_SETTINGS): {
  InstanceMaintenancePolicy: { MinHealthyPercentage: number; MaxHealthyPercentage: number };
} {
  return {
    InstanceMaintenancePolicy: {
      MinHealthyPercentage: settings.instanceMaintenance.minHealthyPercentage,
      MaxHealthyPercentage: settings.instanceMaintenance.maxHealthyPercentage,
    },
  };
}

/** The group's health-check fields for CreateAutoScalingGroup / UpdateAutoScalingGroup. */
export function groupHealthCheck(settings: FleetSettings = FLEET_SETTINGS): {
  HealthCheckType: GroupHealthCheckType;
  HealthCheckGracePeriod: number;
} {
  return {
    HealthCheckType: settings.groupHealthCheck.type,
    HealthCheckGracePeriod: settings.groupHealthCheck.gracePeriodSeconds,
  };
}
