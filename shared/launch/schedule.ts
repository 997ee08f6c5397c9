/**
 * Leaving the next step: sealed with the gate's state key, queued with a delay. The step's invocation then ends;
 * nothing waits in between.
 */
import { describeError, errorMessage, MetricName, Unit } from '../observability';
import type { StepDeps } from './deps';
import { StepNotScheduledError } from './errors';
import { type StateKeys, seal, sealingKey, verifySeal } from './state-seal';
import type { StepMessage } from './step-message';

/** Seals `step` (when the gate has a state key) and queues it `delaySeconds` from now. */
export async function scheduleStep(deps: StepDeps, step: StepMessage, delaySeconds: number): Promise<void> {
  let keys: StateKeys | undefined;
  try {
    keys = await deps.stateKeys();
  } catch (error) {
    // Unsealed, the next step starts counting passes afresh: slower, never more lenient.
    deps.log.warn('state keys unreadable: scheduling the next step unsealed', {
      error: describeError(error),
    });
  }
  const { seal: _old, ...body } = step;
  try {
    await deps.schedule(keys ? { ...body, seal: seal(body, keys.seal) } : body, delaySeconds);
  } catch (error) {
    deps.log.error('next step could not be scheduled: this step will be delivered again', {
      phase: step.phase,
      error: describeError(error),
    });
    throw new StepNotScheduledError(
      { group: step.action.group, instanceId: step.action.instanceId, phase: step.phase },
      { cause: error },
    );
  }
  deps.metrics.record(step.action.group, MetricName.Continuations, Unit.Count, 1);
}

/** Whether a step carries a seal one of the gate's state keys verifies. Never throws. */
export async function checkSeal(
  deps: StepDeps,
  raw: Record<string, unknown>,
): Promise<{ ok: true } | { ok: false; why: string }> {
  const { seal: given, ...body } = raw;
  if (given === undefined) return { ok: false, why: 'no seal' };
  let keys: StateKeys | undefined;
  try {
    keys = await deps.stateKeys();
  } catch (error) {
    return { ok: false, why: `state keys unreadable: ${errorMessage(error)}` };
  }
  if (keys === undefined) return { ok: false, why: 'no state key configured' };
  if (verifySeal(body, given, keys)) return { ok: true };
  // Sealed by a key this container has not read yet (a rotation since): read the keys again, once.
  if (sealingKey(given, keys) === undefined && deps.stateKeys.unknownKey?.()) {
    try {
      const fresh = await deps.stateKeys();
      if (fresh !== undefined && verifySeal(body, given, fresh)) return { ok: true };
    } catch (error) {
      return { ok: false, why: `state keys unreadable: ${errorMessage(error)}` };
    }
  }
  return { ok: false, why: 'the seal does not verify' };
}
