/** Closed sets and records of the control plane's state. */

/** Auto Scaling lifecycle states (the subset the control plane goes through). */
export const LifecycleState = {
  Pending: 'Pending',
  PendingWait: 'Pending:Wait',
  PendingProceed: 'Pending:Proceed',
  InService: 'InService',
  Terminating: 'Terminating',
  TerminatingWait: 'Terminating:Wait',
  TerminatingProceed: 'Terminating:Proceed',
  Terminated: 'Terminated',
} as const;
export type LifecycleState = (typeof LifecycleState)[keyof typeof LifecycleState];

/** EC2 instance states as DescribeInstances reports them, with their numeric codes. */
export const Ec2State = {
  pending: { Code: 0, Name: 'pending' },
  running: { Code: 16, Name: 'running' },
  shuttingDown: { Code: 32, Name: 'shutting-down' },
  terminated: { Code: 48, Name: 'terminated' },
} as const;
export type Ec2State = (typeof Ec2State)[keyof typeof Ec2State];

export const LifecycleTransition = {
  launching: 'autoscaling:EC2_INSTANCE_LAUNCHING',
  terminating: 'autoscaling:EC2_INSTANCE_TERMINATING',
} as const;
export type LifecycleTransition = (typeof LifecycleTransition)[keyof typeof LifecycleTransition];

export const LifecycleResult = { CONTINUE: 'CONTINUE', ABANDON: 'ABANDON' } as const;
export type LifecycleResult = (typeof LifecycleResult)[keyof typeof LifecycleResult];

export const HealthStatus = { Healthy: 'Healthy', Unhealthy: 'Unhealthy' } as const;
export type HealthStatus = (typeof HealthStatus)[keyof typeof HealthStatus];

export interface LaunchTemplateRef {
  id: string;
  name: string;
  /** As the group names it: `$Latest`, `$Default` or a number. */
  version: string;
}

export interface LifecycleHook {
  name: string;
  groupName: string;
  transition: LifecycleTransition;
  heartbeatTimeoutSeconds: number;
  globalTimeoutSeconds: number;
  defaultResult: LifecycleResult;
  notificationMetadata?: string;
}

export interface Group {
  name: string;
  arn: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  launchTemplate: LaunchTemplateRef;
  loadBalancerNames: string[];
  targetGroupArns: string[];
  healthCheckType: string;
  healthCheckGracePeriod: number;
  availabilityZones: string[];
  tags: { key: string; value: string; propagateAtLaunch: boolean }[];
  createdTime: number;
  /** Set while a delete is in progress. */
  deleting: boolean;
  hooks: Map<string, LifecycleHook>;
  /** InstanceMaintenancePolicy: the replacement bounds, in percent of desired capacity, when set. */
  maintenancePolicy?: { minHealthyPercentage: number; maxHealthyPercentage: number };
  /** DefaultInstanceWarmup in seconds, when set. */
  defaultInstanceWarmup?: number;
  /** While an instance refresh runs: the configuration launches use (its target, not the group's own). */
  launchOverride?: LaunchTemplateRef;
  /** While an instance refresh runs: instances the group may hold above desired capacity (launch before terminate). */
  surge: number;
}

export interface Instance {
  instanceId: string;
  groupName: string;
  privateIp: string;
  lifecycleState: LifecycleState;
  ec2State: Ec2State;
  healthStatus: HealthStatus;
  launchTemplate: { id: string; name: string; version: number };
  imageId: string;
  instanceType: string;
  availabilityZone: string;
  launchTime: number;
  tags: { key: string; value: string }[];
  /** Set once the instance reached InService: LB registration happens then. */
  inServiceAt?: number;
  terminatedAt?: number;
}

/** One outstanding lifecycle action: an instance held by one hook. */
export interface LifecycleAction {
  token: string;
  instanceId: string;
  groupName: string;
  hookName: string;
  transition: LifecycleTransition;
  startedAt: number;
  /** When DefaultResult applies unless a heartbeat moves it. */
  timeoutAt: number;
  /** The hard limit heartbeats cannot move past. */
  globalDeadlineAt: number;
  result?: LifecycleResult;
}

export interface ScalingActivity {
  activityId: string;
  groupName: string;
  description: string;
  cause: string;
  startTime: number;
  endTime?: number;
  statusCode: 'InProgress' | 'Successful' | 'Failed' | 'Cancelled';
  progress: number;
  statusMessage?: string;
}
