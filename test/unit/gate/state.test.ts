import { describe, expect, it } from 'vitest';
import {
  BASELINE_LIMITS,
  GateStateError,
  HISTORY_LIMIT,
  initialState,
  latestObservation,
  parseGateState,
  recordBaseline,
  recordHandover,
  recordHeartbeat,
  recordProbe,
} from '../../../shared/gate';
import { baseline, dbDown, fail, ID, missingSecret, OTHER, pageBroken, pass, stateOf, T0 } from './fixtures';

function stateError(json: unknown): GateStateError {
  try {
    parseGateState(json);
  } catch (error) {
    if (error instanceof GateStateError) return error;
    throw error;
  }
  throw new Error('expected a GateStateError');
}

describe('gate state', () => {
  it('starts empty with the heartbeat clock at the action’s start', () => {
    expect(initialState({ instanceId: ID, startedAt: T0 })).toEqual({
      v: 1,
      instanceId: ID,
      startedAt: T0,
      lastHeartbeatAt: T0,
      probes: 0,
      handovers: 0,
      history: [],
    });
  });

  it.each([
    ['', 1, /instanceId/],
    ['i-0abc\n', 1, /instanceId/],
    ['i-'.padEnd(65, 'f'), 1, /instanceId/],
    [ID, Number.NaN, /startedAt/],
  ])('refuses to start for id %j at %s', (instanceId, startedAt, message) => {
    expect(() => initialState({ instanceId, startedAt })).toThrow(GateStateError);
    expect(() => initialState({ instanceId, startedAt })).toThrow(message);
  });

  it('keeps the last HISTORY_LIMIT observations and counts all', () => {
    const state = stateOf(Array.from({ length: 50 }, (_, i) => pass(i)));
    expect(state.probes).toBe(50);
    expect(state.history).toHaveLength(HISTORY_LIMIT);
    expect(state.history[0]!.at).toBe(T0 + 30_000);
    expect(latestObservation(state)!.at).toBe(T0 + 49_000);
  });

  it('keeps the latest observation whole (within bounds), non-transient checks first', () => {
    const checks = [...Array.from({ length: 9 }, (_, i) => ({ ...dbDown, name: `db:${i}` })), missingSecret];
    const state = stateOf([fail(0, checks)]);
    const latest = latestObservation(state)!;
    expect(latest.failingChecks).toHaveLength(8);
    expect(latest.failingChecks[0]).toEqual(missingSecret);
    expect(latest.omittedChecks).toBe(2);
  });

  it('thins older observations to one check by name, counting the rest', () => {
    const state = stateOf([fail(0, [dbDown, pageBroken, missingSecret]), pass(5)]);
    expect(state.history[0]).toEqual({
      at: T0,
      latencyMs: 20,
      outcome: 'fail',
      httpStatus: 503,
      instanceId: ID,
      failingChecks: [{ name: 'config:required', transient: false }],
      omittedChecks: 2,
    });
  });

  it('clips a foreign instance id in older observations, marked so it never equals the expected one', () => {
    const state = stateOf([pass(0, { instanceId: `${OTHER}-with-a-long-suffix` }), pass(5)]);
    expect(state.history[0]!.instanceId).toBe(`${OTHER.slice(0, 16)}…`);
  });

  it('sanitises and clips strings', () => {
    const state = stateOf([fail(0, [{ ...dbDown, output: `bad\u0000\n${'x'.repeat(500)}\ud800` }])]);
    const output = latestObservation(state)!.failingChecks[0]!.output!;
    expect(output).toHaveLength(80);
    expect(output.startsWith('bad  x')).toBe(true);
    expect(output.endsWith('…')).toBe(true);
  });

  it('records heartbeats (never backwards) and hand-overs', () => {
    let state = initialState({ instanceId: ID, startedAt: T0 });
    state = recordHeartbeat(state, T0 + 60_000);
    state = recordHeartbeat(state, T0 + 30_000);
    state = recordHandover(recordHandover(state));
    expect(state.lastHeartbeatAt).toBe(T0 + 60_000);
    expect(state.handovers).toBe(2);
  });

  it('records a bounded baseline, failing instances and the canary’s checks first', () => {
    const many = Array.from({ length: 8 }, (_, i) => `other:${i}`);
    const state = stateOf(
      [fail(0, [dbDown])],
      baseline(1, [
        { failing: [] },
        { failing: [] },
        { failing: [] },
        { failing: [] },
        { failing: [] },
        { failing: [...many, 'database:responseTime'] },
      ]),
    );
    const kept = state.baseline!;
    expect(kept.instances).toHaveLength(BASELINE_LIMITS.instances);
    expect(kept.instances[0]!.failingChecks).toEqual(['database:responseTime', 'other:0', 'other:1']);
  });

  it('replaces an earlier baseline', () => {
    const first = recordBaseline(stateOf([fail(0, [dbDown])]), baseline(1, [{ failing: ['a:b'] }]));
    const second = recordBaseline(first, baseline(20, []));
    expect(second.baseline).toEqual({ at: T0 + 20_000, instances: [] });
  });

  it('round-trips through JSON', () => {
    const state = stateOf(
      [pass(0), fail(5, [dbDown]), pass(10, { instanceId: OTHER })],
      baseline(6, [{ failing: ['x:y'] }]),
    );
    const carried = recordHandover(recordHeartbeat(state, T0 + 7_000));
    expect(parseGateState(JSON.parse(JSON.stringify(carried)))).toEqual(carried);
  });

  it('carries the baseline group (clipped, sanitised) through JSON', () => {
    const state = stateOf([fail(0, [dbDown])], {
      ...baseline(1, [{ failing: ['database:responseTime'] }]),
      group: `web-v1\n${'g'.repeat(300)}`,
    });
    expect(state.baseline!.group!.length).toBeLessThanOrEqual(255);
    expect(state.baseline!.group).not.toContain('\n');
    expect(parseGateState(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(stateOf([fail(0, [dbDown])], baseline(1, [])).baseline).not.toHaveProperty('group');
  });

  it('re-compacts an oversized carried state', () => {
    const state = stateOf([pass(0)]);
    const tampered = {
      ...state,
      history: [
        {
          ...pass(0),
          failingChecks: Array.from({ length: 30 }, (_, i) => ({
            name: `c:${'n'.repeat(500)}${i}`,
            transient: true,
          })),
        },
        pass(5),
      ],
      baseline: {
        at: T0,
        instances: Array.from({ length: 40 }, (_, i) => ({
          instanceId: `i-${i}`,
          outcome: 'fail',
          failingChecks: ['a:b'],
        })),
      },
    };
    const parsed = parseGateState(tampered);
    expect(parsed.history[0]!.failingChecks).toHaveLength(1);
    expect(parsed.history[0]!.omittedChecks).toBe(29);
    expect(parsed.baseline!.instances).toHaveLength(5);
    expect(parsed.probes).toBe(2);
  });

  it.each([
    [{}, /v:/],
    [{ ...initialState({ instanceId: ID, startedAt: T0 }), v: 2 }, /v:/],
    [
      { ...initialState({ instanceId: ID, startedAt: T0 }), instanceId: 'i-\u00e9' },
      /instanceId: must be 1 to 64 printable ASCII/,
    ],
    [{ ...initialState({ instanceId: ID, startedAt: T0 }), startedAt: 'x' }, /startedAt/],
    [{ ...initialState({ instanceId: ID, startedAt: T0 }), extra: 1 }, /extra/],
    [{ ...initialState({ instanceId: ID, startedAt: T0 }), history: Array(21).fill(pass(0)) }, /history/],
    [
      { ...initialState({ instanceId: ID, startedAt: T0 }), history: [{ ...pass(0), outcome: 'ok' }] },
      /history\.0\.outcome/,
    ],
    [
      { ...initialState({ instanceId: ID, startedAt: T0 }), baseline: { at: 1, instances: [{}] } },
      /baseline\.instances\.0/,
    ],
  ])('rejects a malformed carried state %#', (json, message) => {
    const error = stateError(json);
    expect(error.message).toMatch(/^invalid gate state: /);
    expect(error.message).toMatch(message);
    expect(error.context.issues.length).toBeGreaterThan(0);
  });
});

describe('recordProbe', () => {
  it('does not mutate its input', () => {
    const state = stateOf([pass(0)]);
    const copy = structuredClone(state);
    recordProbe(state, fail(5, [dbDown]));
    expect(state).toEqual(copy);
  });
});
