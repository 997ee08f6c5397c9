/** How a deploy ends, and why one fails: closed sets. */
import type { RollbackReport } from '../rollback';

/** How a version is rolled out. */
export const DeployStrategy = {
  /** A new group beside the serving one; the serving group goes once the new one is judged `proceed`. */
  blueGreen: 'blue-green',
  /** An instance refresh of the serving group: a new launch template version replaces instances in place. */
  rolling: 'rolling',
} as const;
export type DeployStrategy = (typeof DeployStrategy)[keyof typeof DeployStrategy];

/** The end of a deploy. */
export const DeployOutcome = {
  /** The new group serves at full capacity with a `proceed` verdict; the old group is gone. */
  deployed: 'deployed',
  /** The new group was removed; the old group (if any) serves untouched. */
  rolledBack: 'rolled-back',
} as const;
export type DeployOutcome = (typeof DeployOutcome)[keyof typeof DeployOutcome];

/** Why a deploy was rolled back. */
export const DeployFailure = {
  /** The gate abandoned `maxAbandons` launches of the version: the circuit breaker stopped it. */
  CIRCUIT_BREAKER: 'CIRCUIT_BREAKER',
  /**
   * The rollback check judged the new group `rollback` (rolling: or Auto Scaling took a new instance out of service
   * on a health check, the same finding as the check's INSTANCE_UNHEALTHY).
   */
  VERDICT_ROLLBACK: 'VERDICT_ROLLBACK',
  /**
   * Rolling: at a checkpoint, or when the refresh finished, the rollback check still said `hold`; rather than let
   * the refresh go on (or stand) unjudged, it was rolled back.
   */
  VERDICT_HOLD: 'VERDICT_HOLD',
  /** Rolling: Auto Scaling failed the instance refresh itself (its replacements kept failing) and rolled it back. */
  REFRESH_FAILED: 'REFRESH_FAILED',
  /** Capacity and a `proceed` verdict did not come within the deploy's timeout. */
  TIMEOUT: 'TIMEOUT',
  /** An AWS call the deploy depends on failed (after the SDK's own retries). */
  AWS_ERROR: 'AWS_ERROR',
  /**
   * The deploy was stopped from outside (its signal aborted: Ctrl-C; rolling: or its refresh was cancelled by
   * someone else); what it made is removed or rolled back all the same.
   */
  INTERRUPTED: 'INTERRUPTED',
} as const;
export type DeployFailure = (typeof DeployFailure)[keyof typeof DeployFailure];

/** What {@link deployBlueGreen} and {@link deployRolling} return. */
export interface DeployResult {
  /** Absent: blue/green (results written before there was a choice). */
  strategy?: DeployStrategy;
  outcome: DeployOutcome;
  failure?: DeployFailure;
  detail: string;
  /** The new version's group (rolling: the group refreshed in place). */
  group: string;
  /** Rolling: the instance refresh this deploy started (the only one it ever cancels or rolls back). */
  refreshId?: string;
  /** The group that served before (retired on success, untouched on failure). */
  previousGroup?: string;
  version: string;
  /** Launches of the version the gate abandoned. */
  abandons: number;
  /** The last rollback check of the new group (absent when none could run). */
  report?: RollbackReport;
  startedAt: number;
  endedAt: number;
}
