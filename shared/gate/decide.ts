/**
 * The decision engine: policy + carried state + the time → CONTINUE, ABANDON or WAIT with a reason and a
 * human-readable detail. Pure: no I/O and no clock reads, so every rule is a table test.
 */
import { type BaselineObservation, baselineCheckName, isBaselineFresh } from './baseline';
import { type Decision, DecisionAction, DecisionReason, MAX_DETAIL_LENGTH } from './decision';
import {
  type FailingCheck,
  isFromInstance,
  isPassing,
  nonTransientChecks,
  type ProbeObservation,
  ProbeOutcome,
} from './observation';
import { type Policy, SharedOutageMode } from './policy';
import { type GateState, OBSERVATION_LIMITS } from './state';
import { clip, sanitise } from './text';

/** What {@link decide} needs: everything is an input, including the time. */
export interface DecideInput {
  policy: Policy;
  state: GateState;
  /** The current time, epoch ms. */
  now: number;
}

/** Component types whose checks are shared dependencies (besides the policy's `sharedChecks`). */
export const SHARED_COMPONENT_TYPES: readonly string[] = Object.freeze(['datastore', 'shared']);

/** When the gate gives up: `startedAt + deadlineSeconds`, epoch ms. */
export function deadlineAt(state: GateState, policy: Policy): number {
  return state.startedAt + policy.deadlineSeconds * 1000;
}

/**
 * Decides one lifecycle action. In order:
 * 1. CONTINUE `HEALTHY_THRESHOLD_MET` when the last `healthyThreshold` observations all pass from the expected
 *    instance and all started before the deadline;
 * 2. ABANDON `NON_TRANSIENT_FAILURE` when the latest observation from the expected instance names a failing
 *    check that will not heal;
 * 3. ABANDON `DEADLINE_EXCEEDED` at or after the deadline (the detail says what was last seen);
 * 4. WAIT `WRONG_INSTANCE` when the latest answer came from another (or an unnamed) instance;
 * 5. SHARED_OUTAGE (ABANDON or WAIT per `onSharedOutage`) when the canary fails only on shared, transient
 *    checks and a fresh baseline shows in-service instances failing the same checks;
 * 6. otherwise WAIT `AWAITING_HEALTHY`.
 *
 * @example
 * const decision = decide({ policy, state, now: Date.now() });
 * if (decision.action === 'WAIT') await sleep(nextProbeAt(state, policy) - Date.now());
 */
export function decide({ policy, state, now }: DecideInput): Decision {
  const expected = state.instanceId;
  const threshold = policy.healthyThreshold;
  const deadline = deadlineAt(state, policy);
  const latest = state.history[state.history.length - 1];

  const streak = passingStreak(state.history, expected, deadline);
  if (latest && streak >= threshold) {
    return decision(
      DecisionAction.CONTINUE,
      DecisionReason.HEALTHY_THRESHOLD_MET,
      `${threshold}/${threshold} consecutive passing probes from ${expected} (last ${ms(latest.latencyMs)})`,
    );
  }

  const own = latestFrom(state.history, expected);
  const permanent = own ? nonTransientChecks(own) : [];
  if (own && permanent.length > 0) {
    return decision(
      DecisionAction.ABANDON,
      DecisionReason.NON_TRANSIENT_FAILURE,
      describeChecks(permanent, own.omittedChecks, 'failed and will not heal'),
    );
  }

  // Written as !(now < deadline) so a NaN time or deadline counts as passed: fail closed.
  if (!(now < deadline)) {
    const outage = latest ? sharedOutage(policy, state, latest) : undefined;
    const last = !latest
      ? 'no probe was recorded'
      : outage
        ? `during a shared outage: ${describeOutage(outage)}`
        : `last: ${describeLatest(latest, expected, streak, threshold)}`;
    return decision(
      DecisionAction.ABANDON,
      DecisionReason.DEADLINE_EXCEEDED,
      `deadline of ${policy.deadlineSeconds} s passed without ${threshold} consecutive passing probes from ${expected}; ${last}`,
    );
  }

  if (!latest) {
    return decision(
      DecisionAction.WAIT,
      DecisionReason.AWAITING_HEALTHY,
      `no probe yet; ${threshold} consecutive passing probes from ${expected} needed`,
    );
  }

  if (!isFromInstance(latest, expected) && latest.outcome !== ProbeOutcome.error) {
    return decision(DecisionAction.WAIT, DecisionReason.WRONG_INSTANCE, describeIdentity(latest, expected));
  }

  const outage = isBaselineCurrent(state, policy, now) ? sharedOutage(policy, state, latest) : undefined;
  if (outage) {
    const left = Math.ceil((deadline - now) / 1000);
    return policy.onSharedOutage === SharedOutageMode.abandon
      ? decision(
          DecisionAction.ABANDON,
          DecisionReason.SHARED_OUTAGE,
          `shared outage: ${describeOutage(outage)}; onSharedOutage is 'abandon'`,
        )
      : decision(
          DecisionAction.WAIT,
          DecisionReason.SHARED_OUTAGE,
          `shared outage: ${describeOutage(outage)}; waiting for it to recover (${left} s to the deadline)`,
        );
  }

  let detail = describeLatest(latest, expected, streak, threshold);
  if (isSharedOnly(latest, policy) && isFromInstance(latest, expected)) {
    detail += `; ${describeComparison(policy, state, latest, now)}`;
  }
  return decision(DecisionAction.WAIT, DecisionReason.AWAITING_HEALTHY, detail);
}

/**
 * Whether the gate should probe in-service instances of the group before deciding again: the canary's latest
 * answer (from the expected instance) fails only on shared, transient checks, the deadline has not passed, and
 * no baseline is fresh (see `baselineFreshForMs`).
 */
export function needsBaseline(policy: Policy, state: GateState, now: number): boolean {
  const latest = state.history[state.history.length - 1];
  return (
    latest !== undefined &&
    now < deadlineAt(state, policy) &&
    isFromInstance(latest, state.instanceId) &&
    isSharedOnly(latest, policy) &&
    !isBaselineCurrent(state, policy, now)
  );
}

/** A shared outage: the canary's failing checks and the in-service instances that fail them too. */
interface Outage {
  checks: readonly string[];
  sharing: number;
  total: number;
  /** The baseline's group when not the canary's own. */
  group?: string;
}

function isBaselineCurrent(state: GateState, policy: Policy, now: number): boolean {
  return state.baseline !== undefined && isBaselineFresh(state.baseline, policy, now);
}

/**
 * The canary (latest observation, from the expected instance) fails only on shared, transient checks, and at
 * least half of the baseline's instances (and at least one) fail every one of those checks too.
 */
function sharedOutage(policy: Policy, state: GateState, latest: ProbeObservation): Outage | undefined {
  const baseline = state.baseline;
  if (!baseline || !isFromInstance(latest, state.instanceId) || !isSharedOnly(latest, policy)) {
    return undefined;
  }
  const checks = latest.failingChecks.map((c) => c.name);
  const sharing = countSharing(baseline, latest);
  const total = baseline.instances.length;
  if (sharing < 1 || sharing * 2 < total) return undefined;
  return { checks, sharing, total, ...(baseline.group !== undefined ? { group: baseline.group } : {}) };
}

/** In-service instances of the baseline failing every check the canary fails. */
function countSharing(baseline: BaselineObservation, canary: ProbeObservation): number {
  const names = canary.failingChecks.map((c) => baselineCheckName(c.name));
  return baseline.instances.filter((i) => names.every((n) => i.failingChecks.includes(n))).length;
}

/**
 * Not passing, and every failing check is transient and a shared dependency. An observation with omitted
 * checks never qualifies: an omitted check could be the canary's own.
 */
function isSharedOnly(observation: ProbeObservation, policy: Policy): boolean {
  return (
    observation.outcome === ProbeOutcome.fail &&
    observation.failingChecks.length > 0 &&
    (observation.omittedChecks ?? 0) === 0 &&
    observation.failingChecks.every((c) => c.transient && isShared(c, policy))
  );
}

function isShared(check: FailingCheck, policy: Policy): boolean {
  if (check.componentType !== undefined && SHARED_COMPONENT_TYPES.includes(check.componentType)) {
    return true;
  }
  // Names in the state are clipped; compare the policy's names in the same form.
  return policy.sharedChecks.some(
    (name) => name === check.name || clip(sanitise(name), OBSERVATION_LIMITS.name) === check.name,
  );
}

/** Trailing observations that pass from `expected` and started before the deadline. */
function passingStreak(history: readonly ProbeObservation[], expected: string, deadline: number): number {
  let streak = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const observation = history[i]!;
    if (!isPassing(observation, expected) || !(observation.at < deadline)) break;
    streak++;
  }
  return streak;
}

function latestFrom(history: readonly ProbeObservation[], expected: string): ProbeObservation | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    if (isFromInstance(history[i]!, expected)) return history[i];
  }
  return undefined;
}

function describeLatest(
  latest: ProbeObservation,
  expected: string,
  streak: number,
  threshold: number,
): string {
  if (isPassing(latest, expected)) {
    return `${streak}/${threshold} consecutive passing probes from ${expected} (last ${ms(latest.latencyMs)})`;
  }
  if (latest.outcome === ProbeOutcome.error) {
    return `no usable answer: ${latest.error ?? 'probe failed'}`;
  }
  if (!isFromInstance(latest, expected)) {
    return describeIdentity(latest, expected);
  }
  if (latest.failingChecks.length > 0) {
    return describeChecks(latest.failingChecks, latest.omittedChecks, 'failed (transient)');
  }
  const status = latest.httpStatus !== undefined ? ` with HTTP ${latest.httpStatus}` : '';
  return latest.outcome === ProbeOutcome.fail
    ? `answered fail${status} without naming a check`
    : `answered ${latest.outcome}${status}`;
}

function describeIdentity(latest: ProbeObservation, expected: string): string {
  return latest.instanceId === undefined
    ? `the answer did not name its instance (expected ${expected}; is the health token sent?)`
    : `answered by ${latest.instanceId}, expected ${expected} (private IP reused?)`;
}

/** `a:b <verb>: out` or `a:b, c:d <verb>: a:b: out; c:d: out`. */
function describeChecks(checks: readonly FailingCheck[], omitted: number | undefined, verb: string): string {
  const names = checks.map((c) => c.name).join(', ');
  const more = omitted ? ` (+${omitted} more)` : '';
  const outputs = checks.filter((c) => c.output);
  const said =
    outputs.length === 0
      ? ''
      : checks.length === 1
        ? `: ${outputs[0]!.output}`
        : `: ${outputs.map((c) => `${c.name}: ${c.output}`).join('; ')}`;
  return `${names}${more} ${verb}${said}`;
}

function describeOutage(outage: Outage): string {
  return `${outage.checks.join(', ')} failing on the canary and on ${outage.sharing}/${outage.total} in-service instances${of(outage.group)}`;
}

function describeComparison(policy: Policy, state: GateState, latest: ProbeObservation, now: number): string {
  const baseline = state.baseline;
  if (!baseline || !isBaselineFresh(baseline, policy, now)) {
    return 'comparing with in-service instances';
  }
  if (baseline.instances.length === 0) {
    return `no in-service instance${of(baseline.group)} to compare with`;
  }
  const sharing = countSharing(baseline, latest);
  return `${sharing}/${baseline.instances.length} in-service instances${of(baseline.group)} fail the same checks (not a shared outage)`;
}

function of(group: string | undefined): string {
  return group === undefined ? '' : ` of ${group}`;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

function decision(action: DecisionAction, reason: DecisionReason, detail: string): Decision {
  return { action, reason, detail: clip(sanitise(detail), MAX_DETAIL_LENGTH) };
}
