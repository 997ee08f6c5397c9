import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HEARTBEAT_RETRY_MARGIN_MS,
  heartbeatCanWait,
  initialState,
  MAX_EARLY_MS,
  MAX_STEP_DELAY_SECONDS,
  nextWakeAt,
  probeWaitMs,
  recordProbe,
  waitPlan,
  withFreshProbe,
} from '../../../shared/gate';
import { ID, pass, policy, T0 } from './fixtures';

const start = initialState({ instanceId: ID, startedAt: T0 });

describe('waitPlan', () => {
  it.each([
    [-5, { kind: 'now' }],
    [0, { kind: 'now' }],
    [1, { kind: 'schedule', delaySeconds: 0 }],
    [999, { kind: 'schedule', delaySeconds: 0 }],
    [1_000, { kind: 'schedule', delaySeconds: 1 }],
    [1_001, { kind: 'schedule', delaySeconds: 2 }],
    [4_200, { kind: 'schedule', delaySeconds: 5 }],
    [4_975, { kind: 'schedule', delaySeconds: 5 }],
    [3_600_000, { kind: 'schedule', delaySeconds: MAX_STEP_DELAY_SECONDS }],
    [Number.NaN, { kind: 'schedule', delaySeconds: 0 }],
  ] as const)('a wait of %d ms → %o', (wait, plan) => {
    expect(waitPlan(T0 + wait, T0)).toEqual(plan);
  });

  it('property: a wait of a second or more is never cut short (no early step, no sleep) and overshoots by less than a second', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: MAX_STEP_DELAY_SECONDS * 1000 }), (wait) => {
        const plan = waitPlan(T0 + wait, T0);
        if (plan.kind !== 'schedule') throw new Error('expected a schedule');
        expect(plan.delaySeconds * 1000).toBeGreaterThanOrEqual(wait);
        expect(plan.delaySeconds * 1000 - wait).toBeLessThan(1_000);
      }),
    );
  });

  it('property: a shorter wait is queued at once and finished inside the step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_EARLY_MS - 1 }), (wait) => {
        expect(waitPlan(T0 + wait, T0)).toEqual({ kind: 'schedule', delaySeconds: 0 });
      }),
    );
  });
});

describe('probeWaitMs', () => {
  const p = policy({ intervalSeconds: 5 });
  const probed = recordProbe(start, pass(0));
  it('is due at once with no probe yet, or when the interval has passed', () => {
    expect(probeWaitMs(start, p, T0)).toBe(0);
    expect(probeWaitMs(probed, p, T0 + 5_000)).toBe(0);
    expect(probeWaitMs(probed, p, T0 + 9_000)).toBe(0);
  });
  it('waits inside the step when due within a second, and not at all beyond', () => {
    expect(probeWaitMs(probed, p, T0 + 4_500)).toBe(500);
    expect(probeWaitMs(probed, p, T0 + 4_000)).toBe(1_000);
    expect(probeWaitMs(probed, p, T0 + 3_999)).toBeUndefined();
  });
});

describe('nextWakeAt', () => {
  const p = policy({ intervalSeconds: 5, deadlineSeconds: 600 });
  it('is the next probe, the next heartbeat or the deadline, whichever is first', () => {
    const probed = recordProbe(start, pass(0));
    expect(nextWakeAt(probed, p, 300, T0)).toBe(T0 + 5_000);
    // A hook of 6 s: a heartbeat is due every 3 s.
    expect(nextWakeAt(probed, p, 6, T0)).toBe(T0 + 3_000);
    const late = recordProbe(start, pass(598));
    expect(nextWakeAt(late, p, 300, T0 + 598_000)).toBe(T0 + 600_000);
  });
  it('an overdue heartbeat (it failed in this step) waits for the next probe, never loops at once', () => {
    const probed = recordProbe(start, pass(20));
    expect(nextWakeAt(probed, p, 30, T0 + 20_000)).toBe(T0 + 25_000);
  });
});

describe('withFreshProbe', () => {
  const cont = { action: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET', detail: '3/3' } as const;
  it('lets a CONTINUE stand only on a probe of this step', () => {
    expect(withFreshProbe(cont, true)).toEqual(cont);
    expect(withFreshProbe(cont, false)).toMatchObject({ action: 'WAIT', reason: 'AWAITING_HEALTHY' });
  });
  it('never touches an ABANDON or a WAIT', () => {
    const abandon = { action: 'ABANDON', reason: 'DEADLINE_EXCEEDED', detail: 'x' } as const;
    expect(withFreshProbe(abandon, false)).toBe(abandon);
  });
});

describe('heartbeatCanWait', () => {
  it('only while the hook outlives the next step by the margin', () => {
    // The hook expires at T0 + 30 s.
    const expiry = T0 + 30_000;
    expect(heartbeatCanWait(start, 30, expiry - HEARTBEAT_RETRY_MARGIN_MS - 1, T0)).toBe(true);
    expect(heartbeatCanWait(start, 30, expiry - HEARTBEAT_RETRY_MARGIN_MS, T0)).toBe(false);
    // A next step in the past counts from now.
    expect(heartbeatCanWait(start, 30, T0, expiry)).toBe(false);
  });
});
