import { describe, expect, it } from 'vitest';
import {
  HookTimingViolationCode as Code,
  checkHookTiming,
  type GateTiming,
  gateHeartbeatGapSeconds,
  globalTimeoutSeconds,
} from '../../../shared/fleet/hook-timing';
import { FLEET_SETTINGS, type FleetSettings } from '../../../shared/fleet/settings';
import {
  DEFAULT_POLICY,
  deadlineAt,
  heartbeatDue,
  initialState,
  nextProbeAt,
  ProbeOutcome,
  recordHeartbeat,
  recordProbe,
  STEP_MARGIN_MS,
} from '../../../shared/gate';

/** The fleet's settings with some fields replaced. */
function settings(patch: {
  heartbeat?: number;
  defaultResult?: 'ABANDON' | 'CONTINUE';
  type?: 'ELB' | 'EC2';
  grace?: number;
}): FleetSettings {
  return {
    ...FLEET_SETTINGS,
    lifecycleHook: {
      ...FLEET_SETTINGS.lifecycleHook,
      heartbeatTimeoutSeconds: patch.heartbeat ?? FLEET_SETTINGS.lifecycleHook.heartbeatTimeoutSeconds,
      defaultResult: patch.defaultResult ?? FLEET_SETTINGS.lifecycleHook.defaultResult,
    },
    groupHealthCheck: {
      type: patch.type ?? FLEET_SETTINGS.groupHealthCheck.type,
      gracePeriodSeconds: patch.grace ?? FLEET_SETTINGS.groupHealthCheck.gracePeriodSeconds,
    },
  };
}

const codes = (s: FleetSettings, policy: GateTiming = DEFAULT_POLICY) =>
  checkHookTiming(s, policy).map((v) => v.code);

describe('checkHookTiming', () => {
  it('accepts the fleet settings with the default policy', () => {
    expect(checkHookTiming(FLEET_SETTINGS, DEFAULT_POLICY)).toEqual([]);
  });

  it("rejects a heartbeat timeout outside Auto Scaling's 30-7200 s", () => {
    expect(codes(settings({ heartbeat: 7201 }))).toContain(Code.heartbeatOutOfRange);
    expect(codes(settings({ heartbeat: 20 }))).toContain(Code.heartbeatOutOfRange);
  });

  it("rejects a heartbeat timeout the gate's heartbeat gap (plus one probe round) does not fit in", () => {
    // Default policy: half of 300 s + one 8 s round + the 10 s hand-over margin = 168 s, + 8 s of slack.
    expect(codes(FLEET_SETTINGS, { ...DEFAULT_POLICY, heartbeatSeconds: 293 })).toEqual([
      Code.heartbeatTooShort,
    ]);
    expect(codes(FLEET_SETTINGS, { ...DEFAULT_POLICY, heartbeatSeconds: 292 })).toEqual([]);
    // The gate heartbeats at half the timeout, so a short hook leaves too little room for a round.
    expect(codes(settings({ heartbeat: 50 }))).toContain(Code.heartbeatTooShort);
    expect(codes(settings({ heartbeat: 52 }))).not.toContain(Code.heartbeatTooShort);
  });

  it("rejects a gate deadline the action's global timeout cuts short", () => {
    // 100 × 30 s = 3000 s of global timeout; the default deadline is 600 s, so stretch it.
    expect(codes(settings({ heartbeat: 30 }), { ...DEFAULT_POLICY, deadlineSeconds: 2995 })).toContain(
      Code.deadlinePastGlobalTimeout,
    );
    expect(codes(settings({ heartbeat: 30 }), { ...DEFAULT_POLICY, deadlineSeconds: 2900 })).not.toContain(
      Code.deadlinePastGlobalTimeout,
    );
  });

  it('rejects a policy whose healthy threshold cannot be met before its deadline', () => {
    expect(codes(FLEET_SETTINGS, { ...DEFAULT_POLICY, healthyThreshold: 20, deadlineSeconds: 60 })).toContain(
      Code.continueUnreachable,
    );
  });

  it('rejects a hook that continues on timeout and a group that ignores the LB', () => {
    expect(codes(settings({ defaultResult: 'CONTINUE' }))).toEqual([Code.notFailClosed]);
    expect(codes(settings({ type: 'EC2' }))).toEqual([Code.notElbHealthCheck]);
  });

  it("rejects a grace period shorter than the LB's time to healthy or the gate's LB verification", () => {
    expect(codes(settings({ grace: 30 }))).toEqual(
      expect.arrayContaining([Code.graceShorterThanLb, Code.graceShorterThanLbVerify]),
    );
    expect(codes(settings({ grace: 120 }))).toEqual([Code.graceShorterThanLbVerify]);
    expect(codes(settings({ grace: 120 }), { ...DEFAULT_POLICY, lbVerifySeconds: 120 })).toEqual([]);
  });

  it('rejects a policy that probes another port or path than the LB checks', () => {
    expect(codes(FLEET_SETTINGS, { ...DEFAULT_POLICY, port: 8080 })).toEqual([Code.probeTargetMismatch]);
    expect(codes(FLEET_SETTINGS, { ...DEFAULT_POLICY, path: '/health/live' })).toEqual([
      Code.probeTargetMismatch,
    ]);
  });

  it('computes the global timeout and the heartbeat gap', () => {
    expect(globalTimeoutSeconds(300)).toBe(30_000);
    expect(globalTimeoutSeconds(7200)).toBe(172_800);
    expect(gateHeartbeatGapSeconds(DEFAULT_POLICY, 300)).toBe(150 + 5 + 3 + 10);
    expect(gateHeartbeatGapSeconds({ ...DEFAULT_POLICY, heartbeatSeconds: 42 }, 300)).toBe(42);
  });
});

describe("the gate's own timing (shared/gate) against the fleet's hook", () => {
  it('heartbeats before the hook times out, from the start of the action to the last decision', () => {
    const policy = DEFAULT_POLICY;
    const timeoutMs = FLEET_SETTINGS.lifecycleHook.heartbeatTimeoutSeconds * 1000;
    let state = initialState({ instanceId: 'i-0123456789abcdef0', startedAt: 0 });
    let now = 0;
    let longestGap = 0;
    // Worst case: every probe runs to its timeout and never passes, so the gate waits until its deadline.
    while (now <= deadlineAt(state, policy)) {
      now = Math.max(now, nextProbeAt(state, policy));
      state = recordProbe(state, {
        at: now,
        latencyMs: 0,
        outcome: ProbeOutcome.error,
        failingChecks: [],
        error: 'timed out',
      });
      now += policy.timeoutSeconds * 1000;
      if (heartbeatDue(state, now, FLEET_SETTINGS.lifecycleHook.heartbeatTimeoutSeconds)) {
        longestGap = Math.max(longestGap, now - state.lastHeartbeatAt);
        state = recordHeartbeat(state, now);
      }
    }
    longestGap = Math.max(longestGap, now - state.lastHeartbeatAt);
    expect(state.lastHeartbeatAt).toBeGreaterThan(0);
    // A hand-over between two rounds may add its margin to one gap.
    expect(longestGap + STEP_MARGIN_MS).toBeLessThan(timeoutMs);
    expect(longestGap / 1000).toBeLessThanOrEqual(gateHeartbeatGapSeconds(policy, timeoutMs / 1000));
  });
});
