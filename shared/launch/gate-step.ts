/**
 * One step of gating a launch: the first step resolves where to probe (preflight); every step then probes and
 * decides (probe-round.ts), or, when it cannot probe, queues itself again. Every rule it applies lives in shared/gate; this file reads,
 * writes and schedules.
 */
import { HeartbeatOutcome } from '../aws/autoscaling';
import { isTransientAwsError } from '../aws/errors';
import {
  DEFAULT_POLICY,
  deadlineAt,
  decide,
  type GateState,
  HOOK_LIMITS,
  heartbeatDue,
  isFinal,
  type Policy,
  recordHandover,
  recordHeartbeat,
  withFreshProbe,
} from '../gate';
import { describeError, errorMessage, errorName } from '../observability';
import { byInstance, complete, internalError, launchEnded, withPending } from './completion';
import type { StepDeps } from './deps';
import { isRetriedError } from './errors';
import type { LifecycleAction } from './event';
import { lbWatchAfter, lbWatchStep } from './lb-watch';
import { LaunchNotWaitingYetError, type Prepared, prepare, type Target } from './preflight';
import { finish, noActiveAction, probeAndDecide } from './probe-round';
import type { StepOutcome } from './run-step';
import { scheduleStep } from './schedule';
import { Phase, STEP_MARKER, STEP_VERSION } from './step-message';

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
    return await probeAndDecide(deps, action, state, ready, {
      ...(pending !== undefined ? { pending } : {}),
      onRetry: (why) => awaitRetry(deps, action, state, ready.policy, why, ready),
    });
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
