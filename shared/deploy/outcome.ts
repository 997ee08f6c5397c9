/** How a deploy ends, and why one fails: closed sets. */
import type { RollbackReport } from '../rollback';

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
  /** The rollback check judged the new group `rollback`. */
  VERDICT_ROLLBACK: 'VERDICT_ROLLBACK',
  /** Capacity and a `proceed` verdict did not come within the deploy's timeout. */
  TIMEOUT: 'TIMEOUT',
  /** An AWS call the deploy depends on failed (after the SDK's own retries). */
  AWS_ERROR: 'AWS_ERROR',
  /** The deploy was stopped from outside (its signal aborted: Ctrl-C); the new group is removed all the same. */
  INTERRUPTED: 'INTERRUPTED',
} as const;
export type DeployFailure = (typeof DeployFailure)[keyof typeof DeployFailure];

/** What {@link deployBlueGreen} returns. */
export interface DeployResult {
  outcome: DeployOutcome;
  failure?: DeployFailure;
  detail: string;
  /** The new version's group. */
  group: string;
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
