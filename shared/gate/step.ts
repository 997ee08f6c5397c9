/**
 * The gate's step rules: what one invocation does with a launch before it completes the action or schedules its
 * next step, and when that next step runs. Pure: the caller passes the time.
 */
import { deadlineAt } from './decide';
import { type Decision, DecisionAction, DecisionReason } from './decision';
import type { Policy } from './policy';
import type { GateState } from './state';
import { nextHeartbeatAt, nextProbeAt } from './timing';

/**
 * A wait shorter than this is queued with no delay, and the step that arrives early waits for its probe itself
 * (a queue delay counts whole seconds; only policies probing more often than once a second wait here). Longer
 * waits are rounded up to the next second, so a step never arrives early and never sleeps: an invocation spends
 * its time on work, not on waiting.
 */
export const MAX_EARLY_MS = 1_000;
/** The longest delay a step can be scheduled with (SQS DelaySeconds: 0 to 900). */
export const MAX_STEP_DELAY_SECONDS = 900;
/**
 * A heartbeat that failed transiently may wait for the next step only if the hook outlives that step by this
 * much (the step's own probe and calls, and a queue delay rounded up to the second).
 */
export const HEARTBEAT_RETRY_MARGIN_MS = 5_000;

/** How the gate waits for its next step. */
export type WaitPlan = { kind: 'now' } | { kind: 'schedule'; delaySeconds: number };

/**
 * When the gate next has something to do for a launch, epoch ms: its next probe, its next heartbeat, or its
 * deadline, whichever is first. A heartbeat already overdue at `now` failed in this step: it is tried again with
 * the next probe, not at once (which would only fail again, in a tight loop).
 */
export function nextWakeAt(
  state: GateState,
  policy: Policy,
  heartbeatTimeoutSeconds: number,
  now: number,
): number {
  const heartbeatAt = nextHeartbeatAt(state, heartbeatTimeoutSeconds);
  return Math.min(
    nextProbeAt(state, policy),
    heartbeatAt > now ? heartbeatAt : Number.POSITIVE_INFINITY,
    deadlineAt(state, policy),
  );
}

/**
 * How to wait from `now` until `wakeAt`: not at all, or a step scheduled `delaySeconds` later. A wait of a second
 * or more is rounded up to whole seconds (the step arrives on time or a little after, never early, and sleeps
 * not at all); a shorter one is scheduled with no delay (that step arrives early and waits at most
 * {@link MAX_EARLY_MS} for its probe). At most {@link MAX_STEP_DELAY_SECONDS} (a longer wait is made of several
 * steps). An unknown time (NaN) schedules at once (fail towards acting).
 *
 * @example
 * waitPlan(now + 4_200, now); // { kind: 'schedule', delaySeconds: 5 }
 */
export function waitPlan(wakeAt: number, now: number): WaitPlan {
  const wait = wakeAt - now;
  if (Number.isNaN(wait)) return { kind: 'schedule', delaySeconds: 0 };
  if (wait <= 0) return { kind: 'now' };
  if (wait < MAX_EARLY_MS) return { kind: 'schedule', delaySeconds: 0 };
  return { kind: 'schedule', delaySeconds: Math.min(MAX_STEP_DELAY_SECONDS, Math.ceil(wait / 1000)) };
}

/**
 * How long this step waits for its probe: 0 when it is due, the time left when it is due within
 * {@link MAX_EARLY_MS} (the step arrived early and waits), `undefined` when it is not due in this step.
 */
export function probeWaitMs(state: GateState, policy: Policy, now: number): number | undefined {
  const wait = nextProbeAt(state, policy) - now;
  if (!(wait > 0)) return 0;
  return wait <= MAX_EARLY_MS ? wait : undefined;
}

/**
 * The fresh-probe rule: a CONTINUE stands only when this very step made a passing probe. Carried history alone
 * (a replayed or duplicated step, or one that only heartbeat) never continues an instance; the decision becomes
 * a WAIT, and the next step probes.
 */
export function withFreshProbe(decision: Decision, probedThisStep: boolean): Decision {
  if (decision.action !== DecisionAction.CONTINUE || probedThisStep) return decision;
  return {
    action: DecisionAction.WAIT,
    reason: DecisionReason.AWAITING_HEALTHY,
    detail: `${decision.detail}; a CONTINUE needs a passing probe of its own step`,
  };
}

/**
 * Whether a heartbeat that failed transiently may be retried at the next step: only while the hook is sure to
 * outlive that step. Otherwise the gate abandons now, while it still can decide (the hook's DefaultResult is not
 * the gate's to rely on).
 */
export function heartbeatCanWait(
  state: GateState,
  heartbeatTimeoutSeconds: number,
  nextStepAt: number,
  now: number,
): boolean {
  const expiresAt = state.lastHeartbeatAt + heartbeatTimeoutSeconds * 1000;
  return Math.max(nextStepAt, now) + HEARTBEAT_RETRY_MARGIN_MS < expiresAt;
}
