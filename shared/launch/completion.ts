/**
 * Completing a lifecycle action, once, and recording the decision: the only place the gate tells Auto Scaling
 * CONTINUE or ABANDON.
 */
import {
  CompletionOutcome,
  type CompletionRef,
  type InstanceActionRef,
  LifecycleActionResult,
} from '../aws/autoscaling';
import {
  clip,
  type Decision,
  DecisionAction,
  DecisionReason,
  type GateState,
  MAX_DETAIL_LENGTH,
} from '../gate';
import { describeError, MetricName, Unit } from '../observability';
import type { StepDeps } from './deps';
import { CompletionFailedError } from './errors';
import type { LifecycleAction, PartialAction } from './event';

/** The instance's action for the event's hook: what heartbeats name (never the token). */
export function byInstance(action: LifecycleAction): InstanceActionRef {
  return { group: action.group, hook: action.hook, instanceId: action.instanceId };
}

/**
 * What a completion names: the instance the gate judged, so it cannot land on another instance's action. Only an
 * ABANDON of a malformed event whose instance id is unusable names the action by its token.
 */
export function completionRef(
  action: LifecycleAction | PartialAction,
  result: LifecycleActionResult,
): CompletionRef {
  const { group, hook } = action;
  if (action.instanceId !== undefined) return { group, hook, instanceId: action.instanceId, result };
  if (result !== LifecycleActionResult.ABANDON) {
    // Unreachable by construction (a CONTINUE follows probes of a named instance); refused, never guessed.
    throw new Error('a CONTINUE must name the instance it judged');
  }
  return { group, hook, token: action.token, result };
}

/** An ABANDON for an unexpected error: the gate fails closed. */
export function internalError(detail: string): Decision {
  return {
    action: DecisionAction.ABANDON,
    reason: DecisionReason.INTERNAL_ERROR,
    detail: clipDetail(detail),
  };
}

/** A decision's detail bounded to {@link MAX_DETAIL_LENGTH}. */
export function clipDetail(detail: string): string {
  return clip(detail, MAX_DETAIL_LENGTH);
}

/** The decision's detail with why the gate could not probe appended (both kept readable). */
export function withPending(decision: Decision, pending: string): Decision {
  const suffix = clip(`; last ${pending}`, Math.floor(MAX_DETAIL_LENGTH / 2));
  return { ...decision, detail: `${clip(decision.detail, MAX_DETAIL_LENGTH - suffix.length)}${suffix}` };
}

/**
 * Completes the lifecycle action once, and records the decision. "Already completed" is logged and counted,
 * never retried; any other failure is logged with the decision and rethrown ({@link CompletionFailedError}), so
 * the step is retried.
 */
export async function complete(
  deps: StepDeps,
  action: LifecycleAction | PartialAction,
  decision: Decision,
  startedAt: number | undefined,
  state?: GateState,
): Promise<CompletionOutcome> {
  const result =
    decision.action === DecisionAction.CONTINUE
      ? LifecycleActionResult.CONTINUE
      : LifecycleActionResult.ABANDON;
  const decidedAt = deps.now();
  const fields = {
    result,
    reason: decision.reason,
    detail: decision.detail,
    ...(state ? { probes: state.probes, steps: state.handovers } : {}),
    ...(startedAt !== undefined ? { timeToDecisionSeconds: (decidedAt - startedAt) / 1000 } : {}),
  };
  let completion: CompletionOutcome;
  try {
    completion = await deps.autoscaling.completeLifecycleAction(completionRef(action, result));
  } catch (error) {
    deps.log.error('decision made but the lifecycle action could not be completed', {
      ...fields,
      error: describeError(error),
    });
    throw new CompletionFailedError(
      decision,
      { group: action.group, ...(action.instanceId !== undefined ? { instanceId: action.instanceId } : {}) },
      { cause: error },
    );
  }
  const { group } = action;
  if (completion === CompletionOutcome.alreadyCompleted) {
    deps.metrics.record(group, MetricName.AlreadyCompleted, Unit.Count, 1);
    deps.log.warn('lifecycle action already completed elsewhere: not retried', fields);
    return completion;
  }
  deps.metrics.record(group, MetricName.Decisions, Unit.Count, 1, {
    Result: result,
    Reason: decision.reason,
  });
  deps.metrics.record(
    group,
    result === LifecycleActionResult.CONTINUE ? MetricName.ContinueDecisions : MetricName.AbandonDecisions,
    Unit.Count,
    1,
  );
  if (startedAt !== undefined) {
    deps.metrics.record(
      group,
      MetricName.TimeToDecision,
      Unit.Seconds,
      Math.max(0, decidedAt - startedAt) / 1000,
    );
  }
  if (result === LifecycleActionResult.CONTINUE) deps.log.info('lifecycle action completed', fields);
  else deps.log.warn('lifecycle action completed', fields);
  return completion;
}

/**
 * The instance was terminated while it waited (its group scaled in or removed, or an operator): nothing is left
 * to judge, so no decision is recorded. ABANDON is still sent in case the action outlived the instance (fail
 * closed); Auto Scaling usually answers that it already ended.
 */
export async function launchEnded(deps: StepDeps, action: LifecycleAction, why: string) {
  let completion: CompletionOutcome | undefined;
  try {
    completion = await deps.autoscaling.completeLifecycleAction(
      completionRef(action, LifecycleActionResult.ABANDON),
    );
  } catch (error) {
    deps.log.warn('could not abandon the lifecycle action of an ended instance', {
      error: describeError(error),
    });
  }
  if (completion === CompletionOutcome.alreadyCompleted) {
    deps.metrics.record(action.group, MetricName.AlreadyCompleted, Unit.Count, 1);
  }
  deps.log.warn('instance ended while it waited: nothing to gate', {
    why,
    ...(completion ? { completion } : {}),
  });
  return { outcome: 'stopped' as const, why };
}
