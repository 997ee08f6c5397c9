import { describe, expect, it } from 'vitest';
import {
  heartbeatDue,
  initialState,
  nextHeartbeatAt,
  nextProbeAt,
  recordHeartbeat,
} from '../../../shared/gate';
import { error, ID, pass, policy, stateOf, T0 } from './fixtures';

const at = (seconds: number) => T0 + seconds * 1000;

describe('heartbeatDue', () => {
  const state = initialState({ instanceId: ID, startedAt: T0 });

  it.each([
    [0, 300, false],
    [149.999, 300, false],
    [150, 300, true],
    [400, 300, true],
    [29, 60, false],
    [30, 60, true],
  ])('at +%s s with a %s s heartbeat timeout → %s', (seconds, timeout, due) => {
    expect(heartbeatDue(state, at(seconds), timeout)).toBe(due);
  });

  it('counts from the last heartbeat', () => {
    const beat = recordHeartbeat(state, at(150));
    expect(heartbeatDue(beat, at(299), 300)).toBe(false);
    expect(heartbeatDue(beat, at(300), 300)).toBe(true);
    expect(nextHeartbeatAt(beat, 300)).toBe(at(300));
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('is due at once for a timeout of %s', (timeout) => {
    expect(heartbeatDue(state, at(0), timeout)).toBe(true);
  });
});

describe('nextProbeAt', () => {
  it('is at once when nothing was probed', () => {
    expect(nextProbeAt(stateOf([]), policy())).toBe(T0);
  });

  it('is one interval after the latest probe started, whatever it answered', () => {
    expect(nextProbeAt(stateOf([pass(0), pass(5)]), policy())).toBe(at(10));
    expect(nextProbeAt(stateOf([error(7)]), policy({ intervalSeconds: 2, timeoutSeconds: 1 }))).toBe(at(9));
  });

  it('is never after the deadline', () => {
    expect(nextProbeAt(stateOf([pass(598)]), policy())).toBe(at(600));
  });
});
