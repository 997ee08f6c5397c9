/** Instance refresh: its closed sets and the record the control plane keeps of each one. */
import type { LaunchTemplateRef } from './types';

/** `InstanceRefreshStatus`, as DescribeInstanceRefreshes reports it. */
export const RefreshStatus = {
  Pending: 'Pending',
  InProgress: 'InProgress',
  Baking: 'Baking',
  Successful: 'Successful',
  Failed: 'Failed',
  Cancelling: 'Cancelling',
  Cancelled: 'Cancelled',
  RollbackInProgress: 'RollbackInProgress',
  RollbackFailed: 'RollbackFailed',
  RollbackSuccessful: 'RollbackSuccessful',
} as const;
export type RefreshStatus = (typeof RefreshStatus)[keyof typeof RefreshStatus];

/**
 * The statuses during which a refresh is "active": a second StartInstanceRefresh is refused with
 * InstanceRefreshInProgress, and CancelInstanceRefresh has something to cancel.
 */
export const ACTIVE_REFRESH_STATUSES: ReadonlySet<RefreshStatus> = new Set([
  RefreshStatus.Pending,
  RefreshStatus.InProgress,
  RefreshStatus.Baking,
  RefreshStatus.Cancelling,
  RefreshStatus.RollbackInProgress,
]);

/** `ScaleInProtectedInstances` and `StandbyInstances`: what to do with protected or standby instances. */
export const ProtectedInstances = { Refresh: 'Refresh', Ignore: 'Ignore', Wait: 'Wait' } as const;
export const StandbyInstances = { Terminate: 'Terminate', Ignore: 'Ignore', Wait: 'Wait' } as const;

/** The preferences of one refresh, defaults applied (percentages and seconds as the API gives them). */
export interface RefreshPreferences {
  minHealthyPercentage: number;
  /** Absent: not given and no instance maintenance policy (terminate and launch at the same time). */
  maxHealthyPercentage?: number;
  /** Absent: the group's default instance warmup, else its health check grace period. */
  instanceWarmup?: number;
  checkpointPercentages?: number[];
  checkpointDelay?: number;
  skipMatching: boolean;
  autoRollback: boolean;
  bakeTime: number;
  scaleInProtectedInstances: string;
  standbyInstances: string;
}

/** What one phase (the refresh itself, or its rollback) replaces, and how far it has come. */
export interface RefreshPhase {
  /** The configuration instances are replaced with. */
  target: LaunchTemplateRef;
  /** The instances to replace, named when the phase began. */
  toReplace: Set<string>;
  /** How many of them the phase set out to replace. */
  total: number;
  /** Instances of `toReplace` the phase terminated itself. */
  replaced: Set<string>;
  /** Instances of the target configuration launched during the phase (not counting skipped ones). */
  launched: Set<string>;
  /** Instances launched during the phase that left before counting as updated: failed replacements. */
  failures: number;
  lastFailure?: string;
  /** When each instance of the target configuration went InService (its warmup counts from then). */
  inServiceAt: Map<string, number>;
}

/** One instance refresh of one group, with its rollback when there is one. */
export interface InstanceRefreshRecord {
  id: string;
  /** Its place among every refresh started, oldest first: keys DescribeInstanceRefreshes' pages. */
  seq: number;
  groupName: string;
  status: RefreshStatus;
  statusReason?: string;
  startTime: number;
  endTime?: number;
  percentageComplete: number;
  instancesToUpdate: number;
  preferences: RefreshPreferences;
  /** The DesiredConfiguration given, if any: rolling back needs one. */
  desired?: LaunchTemplateRef;
  /** The group's launch template when the refresh started: what a rollback returns to. */
  previous: LaunchTemplateRef;
  phase: RefreshPhase;
  /** Index into the checkpoint percentages of the next checkpoint to reach. */
  nextCheckpoint: number;
  /** Set while the refresh waits at a checkpoint or bakes. */
  pausedUntil?: number;
  rollback?: {
    reason: string;
    startTime: number;
    percentageCompleteOnRollback: number;
    instancesToUpdateOnRollback: number;
  };
  /** CancelInstanceRefresh's WaitForTransitioningInstances. */
  waitForTransitioning?: boolean;
}
