/**
 * The launch gate's entry point: one input (an Auto Scaling lifecycle event, or one of the gate's own steps) is
 * one step. It validates the input, sorts it, and hands it to the step it calls for; what each step decides is
 * in shared/gate.
 */
import {
  type Decision,
  DecisionAction,
  DecisionReason,
  distrustState,
  type GateState,
  initialState,
  judgeWarmPool,
  type LbVerdict,
  parseGateState,
  parsePolicy,
  type WarmPoolFacts,
} from '../gate';
import { errorMessage, MetricName, scopedLog, tokenHash, Unit } from '../observability';
import { complete, internalError } from './completion';
import type { LaunchGateDeps, StepDeps } from './deps';
import { classifyEvent, EventKind, type LifecycleAction, type PartialAction } from './event';
import { gateStep } from './gate-step';
import { lbWatchStep } from './lb-watch';
import type { Target } from './preflight';
import { checkSeal } from './schedule';
import { isStepMessage, type Phase, parseStepMessage } from './step-message';

/**
 * How far ahead of this invocation's clock a carried time may lie (clocks of two invocations differ a little).
 * Beyond it the step is refused: a start in the future would push the deadline out without bound.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 60_000;

/** What one step came to (the handler's answer per input: plain JSON). */
export type StepOutcome =
  | { outcome: 'ignored'; why: string }
  | { outcome: 'invalid'; errors: string[]; completion?: string }
  | { outcome: 'decided'; decision: Decision; completion: string; watch?: 'scheduled' }
  | { outcome: 'scheduled'; phase: Phase; delaySeconds: number }
  | { outcome: 'stopped'; why: string }
  | { outcome: 'lb-verified'; verdict: LbVerdict; detail: string };

/**
 * Runs one step for `raw`: an EventBridge lifecycle event starts a gate; a step message continues one. Never
 * throws for a malformed input (a retry would only repeat it); throws only when completing the action or
 * recording the load balancer's verdict fails, after logging it, so the step is retried.
 */
export async function runStep(raw: unknown, shared: LaunchGateDeps): Promise<StepOutcome> {
  const deps: StepDeps = { ...shared, log: scopedLog(shared.log) };
  if (isStepMessage(raw)) return continueStep(deps, raw as Record<string, unknown>);

  const event = classifyEvent(raw);
  switch (event.kind) {
    case EventKind.testNotification:
      deps.log.info('test notification ignored', event.group ? { group: event.group } : {});
      return { outcome: 'ignored', why: 'test notification' };
    case EventKind.notGated:
      deps.log.info('event not gated', { group: event.group, why: event.why });
      return { outcome: 'ignored', why: event.why };
    case EventKind.invalid:
      return rejectInvalid(deps, event.errors, event.action, 'event', event.group);
    case EventKind.warmPool:
      identify(deps, event.action);
      return warmPoolLaunch(deps, event.action, event.eventTime);
    case EventKind.gate: {
      identify(deps, event.action);
      deps.log.info('gate started', event.origin ? { origin: event.origin } : {});
      // An event time ahead of this clock would push the deadline out: the gate counts from now at the latest.
      const startedAt = Math.min(event.eventTime, deps.now());
      return gateStep(
        deps,
        event.action,
        initialState({ instanceId: event.action.instanceId, startedAt }),
        undefined,
      );
    }
  }
}

/** A step message: validated, its seal checked; an unsealed one keeps no trust it did not earn. */
async function continueStep(deps: StepDeps, raw: Record<string, unknown>): Promise<StepOutcome> {
  const parsed = parseStepMessage(raw);
  if (!parsed.ok) return rejectInvalid(deps, parsed.errors, parsed.action, 'step');
  const step = parsed.step;
  identify(deps, step.action);
  const sealed = await checkSeal(deps, raw);
  if (!sealed.ok) {
    deps.metrics.record(step.action.group, MetricName.UnsealedContinuations, Unit.Count, 1);
    deps.log.warn('step not sealed by this gate: its carried observations and target do not count', {
      phase: step.phase,
      why: sealed.why,
    });
  }
  const latest = deps.now() + CLOCK_SKEW_ALLOWANCE_MS;
  if (step.phase === 'lb-verify') {
    if (step.verify.continuedAt > latest) {
      return rejectInvalid(deps, ['verify.continuedAt: lies in the future'], step.action, 'step');
    }
    // Sealed or not, a watch only reads the load balancer and marks an instance it fails, after Auto Scaling
    // confirms the instance is in the group: a forged one can do no more than the load balancer's own check.
    return lbWatchStep(deps, step.action, step.verify, sealed.ok);
  }
  let state: GateState;
  let target: Target | undefined;
  try {
    state = parseGateState(step.state);
    if (state.instanceId !== step.action.instanceId) {
      throw new Error(`carried state is for ${state.instanceId}, not ${step.action.instanceId}`);
    }
    if (state.startedAt > latest || state.lastHeartbeatAt > latest) {
      throw new Error('startedAt or lastHeartbeatAt lies in the future');
    }
    if (step.target && sealed.ok) target = { ...step.target, policy: parsePolicy(step.target.policy) };
  } catch (error) {
    return rejectInvalid(deps, [`state: ${errorMessage(error)}`], step.action, 'step');
  }
  // Unsealed: the first step's reads are made again, and carried passes do not count.
  if (!sealed.ok) state = distrustState(state);
  deps.log.info('gate resumed', { steps: state.handovers, probes: state.probes, sealed: sealed.ok });
  return gateStep(deps, step.action, state, target, step.pending);
}

/**
 * A launch into a warm pool: continued without probing only when Auto Scaling itself lists the instance as
 * warming in the event's group (the event's Destination is only a claim); any doubt gates it like any launch.
 */
async function warmPoolLaunch(
  deps: StepDeps,
  action: LifecycleAction,
  eventTime: number,
): Promise<StepOutcome> {
  let facts: WarmPoolFacts;
  try {
    const own = (await deps.autoscaling.describeInstances([action.instanceId])).find(
      (i) => i.instanceId === action.instanceId,
    );
    facts = own
      ? { listed: true, groupName: own.groupName, lifecycleState: own.lifecycleState }
      : { listed: false };
  } catch (error) {
    facts = { error: errorMessage(error) };
  }
  const warmed = judgeWarmPool(facts, action.group, action.instanceId);
  if (!warmed.ok) {
    deps.log.warn('warm-pool launch not confirmed by Auto Scaling: gated like any launch', {
      why: warmed.why,
    });
    const startedAt = Math.min(eventTime, deps.now());
    return gateStep(deps, action, initialState({ instanceId: action.instanceId, startedAt }), undefined);
  }
  const decision: Decision = {
    action: DecisionAction.CONTINUE,
    reason: DecisionReason.WARM_POOL,
    detail: `launch into the warm pool (${warmed.state}): continued without probing (gated when it leaves the pool)`,
  };
  const completion = await complete(deps, action, decision, eventTime);
  return { outcome: 'decided', decision, completion };
}

function identify(deps: StepDeps, action: { group: string; instanceId?: string; token: string }): void {
  deps.log.appendKeys({
    group: action.group,
    ...(action.instanceId !== undefined ? { instanceId: action.instanceId } : {}),
    tokenHash: tokenHash(action.token),
  });
}

/**
 * A malformed input: logged and counted, never thrown (a retry would only repeat it). When the lifecycle action
 * is still identifiable it is abandoned now (fail closed) rather than left to the hook's timeout: by its instance
 * id when that is well formed, else by its token.
 */
async function rejectInvalid(
  deps: StepDeps,
  errors: string[],
  action: PartialAction | undefined,
  what: 'event' | 'step',
  group?: string,
): Promise<StepOutcome> {
  const groupName = action?.group ?? group ?? '';
  deps.metrics.record(groupName, MetricName.InvalidEvents, Unit.Count, 1);
  deps.log.error(`malformed ${what} rejected`, {
    ...(groupName ? { group: groupName } : {}),
    errors,
    willAbandon: action !== undefined,
  });
  if (!action) return { outcome: 'invalid', errors };
  identify(deps, action);
  const completion = await complete(
    deps,
    action,
    internalError(`malformed ${what}: ${errors.join('; ')}`),
    undefined,
  );
  return { outcome: 'invalid', errors, completion };
}
