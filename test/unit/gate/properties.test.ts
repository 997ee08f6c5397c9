import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BaselineObservation,
  DecisionAction,
  DecisionReason,
  decide,
  type FailingCheck,
  type GateState,
  HISTORY_LIMIT,
  initialState,
  isPassing,
  MAX_DETAIL_LENGTH,
  nonTransientChecks,
  type Policy,
  type ProbeObservation,
  parseGateState,
  recordBaseline,
  recordHandover,
  recordHeartbeat,
  recordProbe,
  STATE_MAX_BYTES,
} from '../../../shared/gate';
import { ID, OTHER, policy as policyOf, T0 } from './fixtures';

/** Any UTF-16 unit, lone surrogates, quotes and control characters included. */
const anyText = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength });

const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    intervalSeconds: fc.integer({ min: 1, max: 30 }),
    healthyThreshold: fc.integer({ min: 2, max: 6 }),
    extra: fc.integer({ min: 1, max: 120 }),
    onSharedOutage: fc.constantFrom('wait' as const, 'abandon' as const),
    sharedChecks: fc.subarray(['payments:api', 'cache:ping']),
  })
  .map(({ intervalSeconds, healthyThreshold, extra, onSharedOutage, sharedChecks }) =>
    policyOf({
      intervalSeconds,
      timeoutSeconds: intervalSeconds / 2,
      healthyThreshold,
      deadlineSeconds: intervalSeconds * healthyThreshold + extra,
      onSharedOutage,
      sharedChecks,
    }),
  );

const checkArb: fc.Arbitrary<FailingCheck> = fc.record(
  {
    name: fc.constantFrom(
      'database:responseTime',
      'config:required',
      'page:home',
      'payments:api',
      'cache:ping',
    ),
    transient: fc.boolean(),
    componentType: fc.constantFrom('datastore', 'component', 'shared'),
    output: fc.constantFrom('connection refused', 'missing SECRET_KEY'),
  },
  { requiredKeys: ['name', 'transient'] },
);

/** Observations with plausible shapes; times are filled in by {@link withTimes}. */
const observationArb: fc.Arbitrary<Omit<ProbeObservation, 'at'>> = fc.oneof(
  fc.record({
    latencyMs: fc.integer({ min: 0, max: 5000 }),
    outcome: fc.constantFrom('pass' as const, 'warn' as const),
    httpStatus: fc.constantFrom(200, 200, 200, 500),
    instanceId: fc.constantFrom(ID, ID, ID, OTHER, undefined),
    failingChecks: fc.constant([]),
  }),
  fc.record({
    latencyMs: fc.integer({ min: 0, max: 5000 }),
    outcome: fc.constant('fail' as const),
    httpStatus: fc.constant(503),
    instanceId: fc.constantFrom(ID, ID, OTHER, undefined),
    failingChecks: fc.array(checkArb, { maxLength: 3 }),
  }),
  fc.record({
    latencyMs: fc.integer({ min: 0, max: 5000 }),
    outcome: fc.constant('error' as const),
    failingChecks: fc.constant([]),
    error: fc.constant('timed out'),
  }),
);

const historyArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 20_000 }), observationArb), { maxLength: 30 });

function withTimes(items: [number, Omit<ProbeObservation, 'at'>][]): ProbeObservation[] {
  let at = T0;
  return items.map(([gap, o]) => {
    at += gap;
    const observation = { ...o, at } as ProbeObservation;
    if (observation.instanceId === undefined) delete observation.instanceId;
    return observation;
  });
}

const baselineArb: fc.Arbitrary<BaselineObservation | undefined> = fc.option(
  fc.record({
    at: fc.integer({ min: T0, max: T0 + 600_000 }),
    instances: fc.array(
      fc.record({
        instanceId: fc.constantFrom('i-1', 'i-2', 'i-3'),
        outcome: fc.constantFrom('pass' as const, 'fail' as const, 'error' as const),
        failingChecks: fc.subarray(['database:responseTime', 'payments:api', 'page:home']),
      }),
      { maxLength: 4 },
    ),
  }),
  { nil: undefined },
);

function build(observations: ProbeObservation[], baseline?: BaselineObservation): GateState {
  let state = initialState({ instanceId: ID, startedAt: T0 });
  for (const o of observations) state = recordProbe(state, o);
  return baseline ? recordBaseline(state, baseline) : state;
}

const scenario = fc.record({
  policy: policyArb,
  items: historyArb,
  baseline: baselineArb,
  nowOffset: fc.integer({ min: 0, max: 1_000_000 }),
});

describe('decide properties', () => {
  it('never CONTINUEs unless the last H observations passed from the expected instance', () => {
    fc.assert(
      fc.property(scenario, ({ policy, items, baseline, nowOffset }) => {
        const observations = withTimes(items);
        const decision = decide({ policy, state: build(observations, baseline), now: T0 + nowOffset });
        if (decision.action === DecisionAction.CONTINUE) {
          const last = observations.slice(-policy.healthyThreshold);
          expect(last).toHaveLength(policy.healthyThreshold);
          for (const o of last) expect(isPassing(o, ID)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('CONTINUEs whenever the last H observations passed before the deadline', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.integer({ min: 2, max: 6 }),
        ({ policy, items, baseline, nowOffset }, extra) => {
          const passes = Array.from({ length: policy.healthyThreshold + extra - 2 }, (_, i) => ({
            at: T0 + i, // well before any deadline
            latencyMs: 5,
            outcome: 'pass' as const,
            instanceId: ID,
            failingChecks: [],
          }));
          const observations = [...withTimes(items).map((o) => ({ ...o, at: T0 - 1 })), ...passes];
          const decision = decide({ policy, state: build(observations, baseline), now: T0 + nowOffset });
          expect(decision.action).toBe(DecisionAction.CONTINUE);
        },
      ),
    );
  });

  it('is always decided (CONTINUE or ABANDON) at or after the deadline', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 10_000_000 }), ({ policy, items, baseline }, late) => {
        const now = T0 + policy.deadlineSeconds * 1000 + late;
        const decision = decide({ policy, state: build(withTimes(items), baseline), now });
        expect(decision.action).not.toBe(DecisionAction.WAIT);
      }),
      { numRuns: 1000 },
    );
  });

  it('a non-transient failure from this instance as latest → ABANDON NON_TRANSIENT_FAILURE, never CONTINUE', () => {
    fc.assert(
      fc.property(scenario, checkArb, ({ policy, items, baseline, nowOffset }, check) => {
        const observations = withTimes(items);
        const last = observations[observations.length - 1];
        observations.push({
          at: (last?.at ?? T0) + 1,
          latencyMs: 10,
          outcome: 'fail',
          httpStatus: 503,
          instanceId: ID,
          failingChecks: [{ ...check, transient: false }],
        });
        const decision = decide({ policy, state: build(observations, baseline), now: T0 + nowOffset });
        expect(decision).toMatchObject({ action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE' });
        expect(decision.detail).toContain(check.name);
      }),
    );
  });

  it('SHARED_OUTAGE only when the canary itself fails, on transient checks only', () => {
    fc.assert(
      fc.property(scenario, ({ policy, items, baseline, nowOffset }) => {
        const observations = withTimes(items);
        const decision = decide({ policy, state: build(observations, baseline), now: T0 + nowOffset });
        if (decision.reason === DecisionReason.SHARED_OUTAGE) {
          const latest = observations[observations.length - 1]!;
          expect(latest.instanceId).toBe(ID);
          expect(latest.outcome).toBe('fail');
          expect(nonTransientChecks(latest)).toEqual([]);
          expect(decision.action).toBe(policy.onSharedOutage === 'abandon' ? 'ABANDON' : 'WAIT');
        }
      }),
    );
  });

  it('always gives a bounded detail', () => {
    fc.assert(
      fc.property(scenario, ({ policy, items, baseline, nowOffset }) => {
        const decision = decide({ policy, state: build(withTimes(items), baseline), now: T0 + nowOffset });
        expect(decision.detail.length).toBeGreaterThan(0);
        expect(decision.detail.length).toBeLessThanOrEqual(MAX_DETAIL_LENGTH);
      }),
    );
  });
});

describe('state properties', () => {
  const adversarialObservation: fc.Arbitrary<ProbeObservation> = fc.record(
    {
      at: fc.double({ noNaN: true, noDefaultInfinity: true }),
      latencyMs: fc.double({ noNaN: true, noDefaultInfinity: true }),
      outcome: fc.constantFrom('pass' as const, 'warn' as const, 'fail' as const, 'error' as const),
      httpStatus: fc.integer(),
      instanceId: anyText(200),
      failingChecks: fc.array(
        fc.record(
          {
            name: anyText(300),
            transient: fc.boolean(),
            componentType: anyText(100),
            output: anyText(500),
          },
          { requiredKeys: ['name', 'transient'] },
        ),
        { maxLength: 12 },
      ),
      error: anyText(500),
      omittedChecks: fc.integer({ min: 0, max: 1_000_000 }),
    },
    { requiredKeys: ['at', 'latencyMs', 'outcome', 'failingChecks'] },
  );
  const adversarialBaseline: fc.Arbitrary<BaselineObservation> = fc.record({
    at: fc.double({ noNaN: true, noDefaultInfinity: true }),
    instances: fc.array(
      fc.record({
        instanceId: anyText(100),
        outcome: fc.constantFrom('pass' as const, 'fail' as const, 'error' as const),
        failingChecks: fc.array(anyText(200), { maxLength: 10 }),
      }),
      { maxLength: 8 },
    ),
  });

  it(`stays below ${STATE_MAX_BYTES} bytes of JSON and round-trips, whatever is observed`, () => {
    fc.assert(
      fc.property(
        fc.array(adversarialObservation, { minLength: 1, maxLength: 45 }),
        fc.option(adversarialBaseline, { nil: undefined }),
        (observations, baseline) => {
          let state = initialState({ instanceId: ID, startedAt: T0 });
          for (const o of observations) state = recordProbe(state, o);
          if (baseline) state = recordBaseline(state, baseline);
          state = recordHandover(recordHeartbeat(state, T0 + 1));
          const json = JSON.stringify(state);
          expect(Buffer.byteLength(json, 'utf8')).toBeLessThanOrEqual(STATE_MAX_BYTES);
          expect(state.history.length).toBeLessThanOrEqual(HISTORY_LIMIT);
          // Compared as JSON: JSON itself turns -0 into 0.
          expect(JSON.stringify(parseGateState(JSON.parse(json)))).toBe(json);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fits the worst case: every string at its bound in three-byte characters, every number at full length', () => {
    const wide = (n: number) => '한'.repeat(n);
    const long = -Math.PI * 1e-300;
    const observation: ProbeObservation = {
      at: long,
      latencyMs: long,
      outcome: 'error',
      httpStatus: -Number.MAX_SAFE_INTEGER,
      instanceId: wide(500),
      failingChecks: Array.from({ length: 20 }, () => ({
        name: wide(500),
        transient: false,
        componentType: wide(500),
        output: wide(500),
      })),
      error: wide(500),
      omittedChecks: Number.MAX_SAFE_INTEGER,
    };
    // Older observations keep the expected id whole (64 ASCII bytes, more than a clipped foreign id).
    const expected = 'i-'.padEnd(64, 'f');
    let state = initialState({ instanceId: expected, startedAt: long });
    for (let i = 0; i < 40; i++) state = recordProbe(state, { ...observation, instanceId: expected });
    state = recordProbe(state, observation);
    state = recordBaseline(state, {
      at: long,
      instances: Array.from({ length: 10 }, () => ({
        instanceId: wide(500),
        outcome: 'error' as const,
        failingChecks: Array.from({ length: 10 }, (_, i) => `${i}${wide(500)}`),
      })),
    });
    state = {
      ...state,
      lastHeartbeatAt: long,
      probes: Number.MAX_SAFE_INTEGER,
      handovers: Number.MAX_SAFE_INTEGER,
    };
    const bytes = Buffer.byteLength(JSON.stringify(state), 'utf8');
    expect(bytes).toBeLessThanOrEqual(STATE_MAX_BYTES);
  });
});
