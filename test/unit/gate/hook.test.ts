import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boundByHook,
  GLOBAL_TIMEOUT_MARGIN_SECONDS,
  globalTimeoutSeconds,
  HOOK_LIMITS,
  hookTiming,
  PolicyError,
} from '../../../shared/gate';
import { policy } from './fixtures';

describe('hookTiming', () => {
  it('takes a hook as reported, the global timeout from the rule when absent', () => {
    expect(hookTiming({ heartbeatTimeoutSeconds: 300, defaultResult: 'ABANDON' })).toEqual({
      heartbeatTimeoutSeconds: 300,
      globalTimeoutSeconds: 30_000,
      failOpen: false,
      assumed: false,
    });
    expect(hookTiming({ heartbeatTimeoutSeconds: 300, globalTimeoutSeconds: 600 }).globalTimeoutSeconds).toBe(
      600,
    );
    expect(hookTiming({ heartbeatTimeoutSeconds: 7200 }).globalTimeoutSeconds).toBe(172_800);
  });

  it("assumes AWS's shortest hook when it cannot be read", () => {
    for (const hook of [
      undefined,
      {},
      { heartbeatTimeoutSeconds: 0 },
      { heartbeatTimeoutSeconds: Number.NaN },
    ]) {
      expect(hookTiming(hook)).toMatchObject({
        heartbeatTimeoutSeconds: HOOK_LIMITS.minHeartbeatTimeoutSeconds,
        globalTimeoutSeconds: 3000,
        assumed: true,
      });
    }
  });

  it('never believes a global timeout past the rule, nor a heartbeat past the maximum', () => {
    expect(
      hookTiming({ heartbeatTimeoutSeconds: 30, globalTimeoutSeconds: 999_999 }).globalTimeoutSeconds,
    ).toBe(3000);
    expect(hookTiming({ heartbeatTimeoutSeconds: 99_999 }).heartbeatTimeoutSeconds).toBe(7200);
  });

  it('flags DefaultResult CONTINUE as fail-open, and only that', () => {
    expect(hookTiming({ heartbeatTimeoutSeconds: 60, defaultResult: 'CONTINUE' }).failOpen).toBe(true);
    expect(hookTiming({ heartbeatTimeoutSeconds: 60, defaultResult: 'ABANDON' }).failOpen).toBe(false);
    expect(hookTiming(undefined).failOpen).toBe(false);
  });
});

describe('boundByHook', () => {
  it('leaves a deadline that fits untouched', () => {
    const p = policy({ deadlineSeconds: 600 });
    expect(boundByHook(p, hookTiming({ heartbeatTimeoutSeconds: 300 }))).toEqual({
      policy: p,
      bounded: false,
    });
  });

  it('shortens a deadline past the global timeout, keeping room for a round and the completion', () => {
    const p = policy({ deadlineSeconds: 7200, intervalSeconds: 5, timeoutSeconds: 2 });
    const { policy: bounded, bounded: shortened } = boundByHook(
      p,
      hookTiming({ heartbeatTimeoutSeconds: 30 }),
    );
    expect(shortened).toBe(true);
    expect(bounded.deadlineSeconds).toBe(3000 - GLOBAL_TIMEOUT_MARGIN_SECONDS - 5 - 2);
  });

  it('refuses a hook too short for the policy to reach CONTINUE', () => {
    const p = policy({ deadlineSeconds: 600, intervalSeconds: 10, healthyThreshold: 3, timeoutSeconds: 1 });
    expect(() =>
      boundByHook(p, hookTiming({ heartbeatTimeoutSeconds: 30, globalTimeoutSeconds: 60 })),
    ).toThrow(PolicyError);
  });

  it('property: a bounded deadline plus one round always ends before the global timeout', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7200 }),
        fc.option(fc.integer({ min: 1, max: 200_000 }), { nil: undefined }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 2, max: 10 }),
        fc.integer({ min: 1, max: 172_800 }),
        (heartbeat, global, interval, threshold, deadline) => {
          const timing = hookTiming({ heartbeatTimeoutSeconds: heartbeat, globalTimeoutSeconds: global });
          const p = policy({
            intervalSeconds: interval,
            timeoutSeconds: interval / 2,
            healthyThreshold: threshold,
            deadlineSeconds: deadline,
          });
          try {
            const { policy: out } = boundByHook(p, timing);
            expect(out.deadlineSeconds + out.intervalSeconds + out.timeoutSeconds).toBeLessThan(
              timing.globalTimeoutSeconds,
            );
            expect(timing.globalTimeoutSeconds).toBeLessThanOrEqual(
              globalTimeoutSeconds(timing.heartbeatTimeoutSeconds),
            );
          } catch (error) {
            expect(error).toBeInstanceOf(PolicyError);
          }
        },
      ),
    );
  });
});
