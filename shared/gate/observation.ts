/**
 * One probe of an instance's deep /health, as the decision engine sees it. The probe (shared/probe) builds it;
 * the engine only reads it.
 */

/**
 * The outcome of one probe. `pass` and `warn` are passing answers (the load balancer also takes HTTP 200 for
 * `warn`); `fail` is an answer saying unhealthy; `error` is no usable answer (timeout, refused, malformed body).
 */
export const ProbeOutcome = {
  pass: 'pass',
  warn: 'warn',
  fail: 'fail',
  error: 'error',
} as const;
export type ProbeOutcome = (typeof ProbeOutcome)[keyof typeof ProbeOutcome];

/** A check the instance reported as failing (`checks["<component>:<measurement>"]` with status `fail`). */
export interface FailingCheck {
  /** `"<component>:<measurement>"`. */
  name: string;
  /** False only when the body says `transient: false`: waiting will not heal it. */
  transient: boolean;
  /** The body's `componentType` (`datastore`, `component`, …), when given. */
  componentType?: string;
  /** The body's `output`, when given (already sanitised by the instance). */
  output?: string;
}

/** One probe of the instance's deep /health. */
export interface ProbeObservation {
  /** When the probe started, in epoch milliseconds. */
  at: number;
  latencyMs: number;
  outcome: ProbeOutcome;
  httpStatus?: number;
  /** The body's `instanceId`; missing when the gate saw only the public view or no body. */
  instanceId?: string;
  /** Failing checks of the body; empty for a passing answer or when there is no body. */
  failingChecks: readonly FailingCheck[];
  /** Why there was no usable answer (`error` outcome), e.g. `timed out after 3000 ms`. */
  error?: string;
  /**
   * Failing checks left out of `failingChecks` when the gate's state compacted the observation. A left-out
   * check could be a non-shared one, so such an observation is never judged a shared outage.
   */
  omittedChecks?: number;
}

/**
 * Whether an observation is a passing probe of `expectedInstanceId`: outcome `pass` or `warn`, no failing
 * check (kept or omitted), a 2xx status when one is recorded, and the body's `instanceId` equal to the expected one (private IPs
 * get reused, so an answer without the right identity never counts).
 */
export function isPassing(observation: ProbeObservation, expectedInstanceId: string): boolean {
  const status = observation.httpStatus;
  return (
    (observation.outcome === ProbeOutcome.pass || observation.outcome === ProbeOutcome.warn) &&
    observation.failingChecks.length === 0 &&
    (observation.omittedChecks ?? 0) === 0 &&
    (status === undefined || (status >= 200 && status <= 299)) &&
    observation.instanceId !== undefined &&
    observation.instanceId === expectedInstanceId
  );
}

/** Whether the observation came from `expectedInstanceId` by its own account. */
export function isFromInstance(observation: ProbeObservation, expectedInstanceId: string): boolean {
  return observation.instanceId !== undefined && observation.instanceId === expectedInstanceId;
}

/** The failing checks that will not heal by waiting. */
export function nonTransientChecks(observation: ProbeObservation): FailingCheck[] {
  return observation.failingChecks.filter((c) => c.transient === false);
}
