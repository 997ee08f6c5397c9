/**
 * The gate's answer: what to tell Auto Scaling about one lifecycle action, why, and a human-readable detail.
 * One list of reasons serves the decision engine and the handler around it.
 */

/** What the gate tells Auto Scaling (`CONTINUE`/`ABANDON`) or that it needs more probes (`WAIT`). */
export const DecisionAction = {
  CONTINUE: 'CONTINUE',
  ABANDON: 'ABANDON',
  WAIT: 'WAIT',
} as const;
export type DecisionAction = (typeof DecisionAction)[keyof typeof DecisionAction];

/**
 * Every reason healthgate gives for a decision. The first group comes from {@link decide}; the second from the
 * handler, for outcomes decided before or after probing (so logs, metrics and the docs share one list).
 */
export const DecisionReason = {
  /** CONTINUE: `healthyThreshold` consecutive passing probes, all from the expected instance. */
  HEALTHY_THRESHOLD_MET: 'HEALTHY_THRESHOLD_MET',
  /** ABANDON: the instance reports a failing check that waiting will not heal (configuration, migrations). */
  NON_TRANSIENT_FAILURE: 'NON_TRANSIENT_FAILURE',
  /** ABANDON: the deadline passed without the healthy threshold being met. */
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  /** WAIT or ABANDON (policy `onSharedOutage`): in-service instances fail the same shared checks as the canary. */
  SHARED_OUTAGE: 'SHARED_OUTAGE',
  /** WAIT: not yet healthy (no probe yet, transient failure, no answer, threshold not reached). */
  AWAITING_HEALTHY: 'AWAITING_HEALTHY',
  /** WAIT: the answer did not provably come from the expected instance (other or missing `instanceId`). */
  WRONG_INSTANCE: 'WRONG_INSTANCE',

  /** CONTINUE (handler): a launch into a warm pool is not gated. */
  WARM_POOL: 'WARM_POOL',
  /** ABANDON (handler): the instance does not belong to the group named in the event. */
  INSTANCE_NOT_IN_GROUP: 'INSTANCE_NOT_IN_GROUP',
  /** ABANDON (handler): the instance's private address is outside the policy's `probeCidrs`. */
  ADDRESS_NOT_ALLOWED: 'ADDRESS_NOT_ALLOWED',
  /** ABANDON (handler): the group's policy is invalid (fail closed, never replaced by defaults). */
  POLICY_INVALID: 'POLICY_INVALID',
  /** ABANDON (handler): the version was abandoned `maxAbandonsPerVersion` times; stop the rollout. */
  ABANDON_LIMIT_REACHED: 'ABANDON_LIMIT_REACHED',
  /** After CONTINUE (handler): the load balancer did not judge the instance healthy within `lbVerifySeconds`. */
  LB_UNHEALTHY: 'LB_UNHEALTHY',
  /** ABANDON (engine or handler): an unexpected error; the gate fails closed. */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
export type DecisionReason = (typeof DecisionReason)[keyof typeof DecisionReason];

/** The gate's answer for one lifecycle action. */
export interface Decision {
  action: DecisionAction;
  reason: DecisionReason;
  /** Human-readable, names the failing checks or the cause; at most {@link MAX_DETAIL_LENGTH} characters. */
  detail: string;
}

/** Upper bound of {@link Decision.detail}, so logs and lifecycle metadata stay small. */
export const MAX_DETAIL_LENGTH = 512;

/** True for CONTINUE and ABANDON: the lifecycle action is to be completed with this answer. */
export function isFinal(decision: Decision): boolean {
  return decision.action !== DecisionAction.WAIT;
}
