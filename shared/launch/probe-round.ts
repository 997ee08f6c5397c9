/**
 * The probing part of a gate step, once its target is known: heartbeat when due, probe when due, decide; then
 * complete the action (and queue the load balancers' watch after a CONTINUE) or queue the next step.
 */
import { CompletionOutcome, HeartbeatOutcome } from '../aws/autoscaling';
import { isTransientAwsError } from '../aws/errors';
import {
  type Decision,
  DecisionAction,
  decide,
  firstLbReadDelaySeconds,
  type GateState,
  heartbeatCanWait,
  heartbeatDue,
  isFinal,
  isPassing,
  LaunchStage,
  launchStage,
  needsBaseline,
  nextWakeAt,
  type Policy,
  probeWaitMs,
  recordBaseline,
  recordHandover,
  recordHeartbeat,
  recordProbe,
  STEP_MARGIN_MS,
  waitPlan,
  withFreshProbe,
} from '../gate';
import { describeError, errorMessage, MetricName, Unit } from '../observability';
import { byInstance, complete, withPending } from './completion';
import type { StepDeps } from './deps';
import { LbWatchNotScheduledError } from './errors';
import type { LifecycleAction } from './event';
import { lbWatchAfter, scheduleLbWatch } from './lb-watch';
import type { Target } from './preflight';
import { probeCanary, takeBaseline } from './probe-step';
import type { StepOutcome } from './run-step';
import { scheduleStep } from './schedule';
import { Phase, STEP_MARKER, STEP_VERSION } from './step-message';

/** Rounds one step may make (sub-second waits are slept in the step): a bound, never reached in practice. */
export const MAX_ROUNDS_PER_STEP = 100;

/**
 * Probes and decides for a launch whose target is known. `onRetry` is called when the health token cannot be read
 * transiently (the step is then queued again without a probe, as when its target could not be resolved).
 */
export async function probeAndDecide(
  deps: StepDeps,
  action: LifecycleAction,
  carried: GateState,
  target: Target,
  options: { pending?: string; onRetry: (why: string) => Promise<StepOutcome> },
): Promise<StepOutcome> {
  const { pending, onRetry } = options;
  const { policy, heartbeatTimeoutSeconds } = target;
  let token: string | undefined;
  try {
    token = await deps.healthToken();
  } catch (error) {
    if (!isTransientAwsError(error)) throw error;
    deps.log.warn('health token unreadable (transient): retrying at the next interval', {
      error: describeError(error),
    });
    return onRetry(`AWS error: ${errorMessage(error)}`);
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
  // One probe per step; a step without a state key may probe again while it holds a streak (see holdsStreak).
  let mayProbe = true;
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
    const wait = mayProbe ? probeWaitMs(state, policy, deps.now()) : undefined;
    if (wait !== undefined) {
      // A step queued with a whole-second delay may arrive up to a second early: it waits for its probe here.
      if (wait > 0) await deps.sleep(wait);
      state = recordProbe(state, await probeCanary(deps, probeTarget, action));
      probed = true;
      mayProbe = false;
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
    if (!sealing && holdsStreak(state, policy, wakeAt, deps.now(), deps.remainingMs())) {
      await deps.sleep(Math.max(0, wakeAt - deps.now()));
      mayProbe = true;
      continue;
    }
    const plan = waitPlan(wakeAt, deps.now());
    if (plan.kind === 'schedule') return scheduleGate(deps, action, state, target, plan.delaySeconds);
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
export async function finish(
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
    // The first read waits for the load balancers to be able to say healthy at all.
    await scheduleLbWatch(
      deps,
      action,
      lbWatchAfter(target.policy, state.startedAt, deps.now(), target.attached),
      firstLbReadDelaySeconds(target.lbSettleSeconds ?? 0, target.policy),
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

export function noActiveAction(deps: StepDeps, action: LifecycleAction, state: GateState): StepOutcome {
  deps.metrics.record(action.group, MetricName.AlreadyCompleted, Unit.Count, 1);
  deps.log.warn('lifecycle action no longer active (completed elsewhere or timed out): stopping', {
    probes: state.probes,
  });
  return { outcome: 'stopped', why: 'no active lifecycle action' };
}
