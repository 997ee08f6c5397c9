/**
 * One step of gating a launch: prepare (the first step only), heartbeat when due, probe when due, decide; then
 * complete the action or schedule the next step. Every rule it applies lives in shared/gate; this file reads,
 * writes and schedules.
 */
import { CompletionOutcome, HeartbeatOutcome } from '../aws/autoscaling';
import { isTransientAwsError } from '../aws/errors';
import {
  DEFAULT_POLICY,
  type Decision,
  DecisionAction,
  deadlineAt,
  decide,
  type GateState,
  HOOK_LIMITS,
  heartbeatCanWait,
  heartbeatDue,
  isFinal,
  isPassing,
  LaunchStage,
  launchStage,
  needsBaseline,
  nextWakeAt,
  type Policy,
  probeDue,
  recordBaseline,
  recordHandover,
  recordHeartbeat,
  recordProbe,
  STEP_MARGIN_MS,
  waitPlan,
  withFreshProbe,
} from '../gate';
import { describeError, errorMessage, errorName, MetricName, Unit } from '../observability';
import { byInstance, complete, internalError, launchEnded, withPending } from './completion';
import type { StepDeps } from './deps';
import { isRetriedError, LbWatchNotScheduledError } from './errors';
import type { LifecycleAction } from './event';
import { lbWatchAfter, lbWatchStep, scheduleLbWatch } from './lb-watch';
import { LaunchNotWaitingYetError, type Prepared, prepare, type Target } from './preflight';
import { probeCanary, takeBaseline } from './probe-step';
import type { StepOutcome } from './run-step';
import { scheduleStep } from './schedule';
import { Phase, STEP_MARKER, STEP_VERSION } from './step-message';

/** Rounds one step may make (sub-second waits are slept in the step): a bound, never reached in practice. */
export const MAX_ROUNDS_PER_STEP = 100;

/**
 * One gate step for `action`, from `state` (and `target` once the first step resolved it). An unexpected error
 * abandons (fail closed); the errors of {@link isRetriedError} are thrown, so the step is delivered again.
 */
export async function gateStep(
  deps: StepDeps,
  action: LifecycleAction,
  state: GateState,
  target: Target | undefined,
  pending?: string,
): Promise<StepOutcome> {
  const known: { policy?: Policy } = target ? { policy: target.policy } : {};
  let ready = target;
  if (!ready) {
    let prepared: Prepared;
    try {
      prepared = await prepare(deps, action, known);
    } catch (error) {
      if (!(isTransientAwsError(error) || error instanceof LaunchNotWaitingYetError)) {
        return abandonOnError(deps, action, state, error);
      }
      // No verdict on the instance (throttling, a 5xx past the SDK's retries, a listing that lags): look again
      // one interval later; the deadline still bounds it.
      deps.log.warn(
        error instanceof LaunchNotWaitingYetError
          ? 'instance not yet waiting on the hook: looking again at the next interval'
          : 'AWS call failed transiently: retrying at the next interval',
        { error: describeError(error), probes: state.probes },
      );
      const why =
        error instanceof LaunchNotWaitingYetError ? errorMessage(error) : `AWS error: ${errorMessage(error)}`;
      return awaitRetry(deps, action, state, known.policy ?? DEFAULT_POLICY, why);
    }
    switch (prepared.kind) {
      case 'decision': {
        const completion = await complete(deps, action, prepared.decision, state.startedAt);
        return { outcome: 'decided', decision: prepared.decision, completion };
      }
      case 'ended':
        return launchEnded(deps, action, prepared.why);
      case 'stop':
        deps.log.warn('instance not waiting on a launch hook: nothing to decide', { why: prepared.why });
        return { outcome: 'stopped', why: prepared.why };
      case 'continued':
        // The launch went on before this step (a retried step, a duplicate event, a lost answer): the gate's
        // CONTINUE, if it was the gate's, is owed its load-balancer verdict. Watching an instance another party
        // continued costs reads only: it is marked only when its own load balancer fails it. Any error here is
        // thrown, so the step is delivered again.
        deps.log.info('launch already continued: resuming the load balancer watch', {
          phase: Phase.lbVerify,
          lifecycleState: prepared.lifecycleState,
        });
        return lbWatchStep(
          deps,
          action,
          lbWatchAfter(known.policy ?? DEFAULT_POLICY, state.startedAt, deps.now(), prepared.attached),
          true,
        );
      case 'target':
        ready = prepared.target;
    }
  }
  try {
    return await probeAndDecide(deps, action, state, ready, pending);
  } catch (error) {
    if (isRetriedError(error)) throw error;
    return abandonOnError(deps, action, state, error);
  }
}

async function abandonOnError(
  deps: StepDeps,
  action: LifecycleAction,
  state: GateState,
  error: unknown,
): Promise<StepOutcome> {
  deps.log.error('gate failed: abandoning (fail closed)', { error: describeError(error) });
  const decision = internalError(`${errorName(error)}: ${errorMessage(error)}`);
  const completion = await complete(deps, action, decision, state.startedAt);
  return { outcome: 'decided', decision, completion };
}

/**
 * The step cannot probe (its target could not be resolved, or the health token read failed transiently): the
 * deadline is checked (an ABANDON names what kept the gate from probing), and the step is scheduled again one
 * interval later with the reason carried (and the target, when it is known).
 */
async function awaitRetry(
  deps: StepDeps,
  action: LifecycleAction,
  state: GateState,
  policy: Policy,
  why: string,
  target?: Target,
): Promise<StepOutcome> {
  const decision = withFreshProbe(decide({ policy, state, now: deps.now() }), false);
  if (isFinal(decision)) return finish(deps, action, state, withPending(decision, why));
  let next = state;
  if (
    heartbeatDue(state, deps.now(), target?.heartbeatTimeoutSeconds ?? HOOK_LIMITS.minHeartbeatTimeoutSeconds)
  ) {
    // Unprepared, the hook is unknown: keep it alive at AWS's shortest timeout; a failure waits for next time.
    const beat = await deps.autoscaling.recordHeartbeat(byInstance(action)).catch(() => undefined);
    if (beat === HeartbeatOutcome.noActiveAction) return noActiveAction(deps, action, state);
    if (beat === HeartbeatOutcome.recorded) next = recordHeartbeat(state, deps.now());
  }
  // One interval later, or at the deadline if that comes first (never sooner than a second: a queue delay is
  // whole seconds, and nothing here is worth an invocation of its own sooner).
  const wakeAt = Math.min(deps.now() + policy.intervalSeconds * 1000, deadlineAt(state, policy));
  const delaySeconds = Math.max(1, Math.ceil((wakeAt - deps.now()) / 1000));
  await scheduleStep(
    deps,
    {
      healthgate: STEP_MARKER,
      v: STEP_VERSION,
      phase: Phase.gate,
      action,
      state: recordHandover(next),
      pending: why.slice(0, 300),
    },
    delaySeconds,
  );
  return { outcome: 'scheduled', phase: Phase.gate, delaySeconds };
}

async function probeAndDecide(
  deps: StepDeps,
  action: LifecycleAction,
  carried: GateState,
  target: Target,
  pending?: string,
): Promise<StepOutcome> {
  const { policy, heartbeatTimeoutSeconds } = target;
  let token: string | undefined;
  try {
    token = await deps.healthToken();
  } catch (error) {
    if (!isTransientAwsError(error)) throw error;
    deps.log.warn('health token unreadable (transient): retrying at the next interval', {
      error: describeError(error),
    });
    return awaitRetry(deps, action, carried, policy, `AWS error: ${errorMessage(error)}`, target);
  }
  const probeTarget = {
    address: target.address,
    policy,
    headers: token === undefined ? {} : { [deps.healthTokenHeader]: token },
  };
  // Without a state key nothing this step leaves can be trusted by the next, so a streak of passes must be
  // completed inside one step: the step then waits for its next probe itself (bounded by its time left).
  const sealing = (await deps.stateKeys().catch(() => undefined)) !== undefined;
  let state = carried;
  let probed = false;
  for (let round = 0; round < MAX_ROUNDS_PER_STEP; round++) {
    const now = deps.now();
    if (heartbeatDue(state, now, heartbeatTimeoutSeconds)) {
      let beat: HeartbeatOutcome | undefined;
      try {
        beat = await deps.autoscaling.recordHeartbeat(byInstance(action));
      } catch (error) {
        const wake = nextWakeAt(state, policy, heartbeatTimeoutSeconds, now);
        if (!isTransientAwsError(error) || !heartbeatCanWait(state, heartbeatTimeoutSeconds, wake, now)) {
          throw error;
        }
        deps.log.warn('heartbeat failed transiently: retrying at the next step', {
          error: describeError(error),
        });
      }
      if (beat === HeartbeatOutcome.noActiveAction) return noActiveAction(deps, action, state);
      if (beat === HeartbeatOutcome.recorded) {
        state = recordHeartbeat(state, now);
        deps.metrics.record(action.group, MetricName.Heartbeats, Unit.Count, 1);
        deps.log.info('heartbeat recorded', { probes: state.probes });
      }
    }
    if (probeDue(state, policy, deps.now())) {
      state = recordProbe(state, await probeCanary(deps, probeTarget, action));
      probed = true;
      if (needsBaseline(policy, state, deps.now())) {
        try {
          state = recordBaseline(state, await takeBaseline(deps, probeTarget, action));
        } catch (error) {
          // A baseline only refines the reason of a wait; without one the canary is judged alone.
          deps.log.warn('baseline failed: judging the canary alone', { error: describeError(error) });
        }
      }
    }
    const decision = withFreshProbe(decide({ policy, state, now: deps.now() }), probed);
    if (isFinal(decision)) {
      const named = !probed && pending !== undefined ? withPending(decision, pending) : decision;
      return finish(deps, action, state, named, target);
    }
    const wakeAt = nextWakeAt(state, policy, heartbeatTimeoutSeconds, deps.now());
    const plan = waitPlan(wakeAt, deps.now());
    if (plan.kind === 'schedule') {
      if (sealing || !holdsStreak(state, policy, wakeAt, deps.now(), deps.remainingMs())) {
        return scheduleGate(deps, action, state, target, plan.delaySeconds);
      }
      await deps.sleep(wakeAt - deps.now());
    }
    if (plan.kind === 'sleep') await deps.sleep(plan.ms);
  }
  return scheduleGate(deps, action, state, target, 0);
}

/**
 * Whether an unsealed step should wait for its next probe itself: its latest probe passed (a streak is under way)
 * and the wait, the probe and the completion fit in the time the invocation has left.
 */
function holdsStreak(
  state: GateState,
  policy: Policy,
  wakeAt: number,
  now: number,
  remainingMs: number,
): boolean {
  const latest = state.history[state.history.length - 1];
  const needed = wakeAt - now + policy.timeoutSeconds * 1000 + STEP_MARGIN_MS;
  return latest !== undefined && isPassing(latest, state.instanceId) && needed < remainingMs;
}

async function scheduleGate(
  deps: StepDeps,
  action: LifecycleAction,
  state: GateState,
  target: Target,
  delaySeconds: number,
): Promise<StepOutcome> {
  const next = recordHandover(state);
  await scheduleStep(
    deps,
    { healthgate: STEP_MARKER, v: STEP_VERSION, phase: Phase.gate, action, state: next, target },
    delaySeconds,
  );
  deps.log.info('next step scheduled', {
    phase: Phase.gate,
    delaySeconds,
    probes: next.probes,
    steps: next.handovers,
  });
  return { outcome: 'scheduled', phase: Phase.gate, delaySeconds };
}

/** Completes the action; after a CONTINUE the load balancers' verdict is watched in later steps. */
async function finish(
  deps: StepDeps,
  action: LifecycleAction,
  state: GateState,
  decision: Decision,
  target?: Target,
): Promise<StepOutcome> {
  const completion = await complete(deps, action, decision, state.startedAt, state);
  if (decision.action !== DecisionAction.CONTINUE || !target)
    return { outcome: 'decided', decision, completion };
  try {
    if (completion === CompletionOutcome.alreadyCompleted) {
      // Someone finished the action first; often this gate itself (a retried call whose first answer was lost,
      // or a duplicate step). If the launch went on, its load-balancer verdict is still owed.
      const group = await deps.autoscaling.describeGroup(action.group);
      const listed = group.instances.find((i) => i.instanceId === action.instanceId)?.lifecycleState;
      if (launchStage(listed) !== LaunchStage.continued) return { outcome: 'decided', decision, completion };
    }
    await scheduleLbWatch(
      deps,
      action,
      lbWatchAfter(target.policy, state.startedAt, deps.now(), target.attached),
    );
  } catch (error) {
    // The CONTINUE stands; its watch must not be lost: the step is delivered again and finds the launch continued.
    throw new LbWatchNotScheduledError(
      { group: action.group, instanceId: action.instanceId },
      { cause: error },
    );
  }
  return { outcome: 'decided', decision, completion, watch: 'scheduled' };
}

function noActiveAction(deps: StepDeps, action: LifecycleAction, state: GateState): StepOutcome {
  deps.metrics.record(action.group, MetricName.AlreadyCompleted, Unit.Count, 1);
  deps.log.warn('lifecycle action no longer active (completed elsewhere or timed out): stopping', {
    probes: state.probes,
  });
  return { outcome: 'stopped', why: 'no active lifecycle action' };
}
