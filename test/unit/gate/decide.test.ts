import { describe, expect, it } from 'vitest';
import {
  type Decision,
  DecisionReason,
  decide,
  type GateState,
  MAX_DETAIL_LENGTH,
  needsBaseline,
  type Policy,
} from '../../../shared/gate';
import {
  baseline,
  dbDown,
  error,
  fail,
  ID,
  missingSecret,
  OTHER,
  pageBroken,
  pass,
  pendingMigration,
  policy,
  stateOf,
  T0,
} from './fixtures';

const at = (seconds: number) => T0 + seconds * 1000;
const dbName = 'database:responseTime';

interface Row {
  name: string;
  state: GateState;
  now: number;
  policy?: Policy;
  expected: Pick<Decision, 'action' | 'reason'>;
  detail: RegExp;
}

const rows: Row[] = [
  {
    name: 'no probe yet → WAIT',
    state: stateOf([]),
    now: at(0),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /^no probe yet; 3 consecutive passing probes from i-0abc/,
  },
  {
    name: 'H passing probes from the instance → CONTINUE',
    state: stateOf([pass(0), pass(5), pass(10, { latencyMs: 11.6 })]),
    now: at(11),
    expected: { action: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET' },
    detail: new RegExp(`^3/3 consecutive passing probes from ${ID} \\(last 12 ms\\)$`),
  },
  {
    name: 'warn answers count as passing',
    state: stateOf([pass(0, { outcome: 'warn' }), pass(5), pass(10, { outcome: 'warn' })]),
    now: at(11),
    expected: { action: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET' },
    detail: /3\/3/,
  },
  {
    name: 'H−1 passing → WAIT with progress',
    state: stateOf([pass(0), pass(5)]),
    now: at(6),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /^2\/3 consecutive passing probes/,
  },
  {
    name: 'a failure resets the streak',
    state: stateOf([pass(0), pass(5), error(10), pass(15), pass(20)]),
    now: at(21),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /^2\/3/,
  },
  {
    name: 'a different instance in the streak breaks it',
    state: stateOf([pass(0), pass(5, { instanceId: OTHER }), pass(10), pass(15)]),
    now: at(16),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /^2\/3/,
  },
  {
    name: 'a higher healthyThreshold needs more probes',
    state: stateOf([pass(0), pass(5), pass(10)]),
    now: at(11),
    policy: policy({ healthyThreshold: 4 }),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /^3\/4/,
  },
  {
    name: 'a non-transient failure → ABANDON at once, naming the check and its output',
    state: stateOf([fail(0, [missingSecret])]),
    now: at(1),
    expected: { action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE' },
    detail: /^config:required failed and will not heal: missing SECRET_KEY$/,
  },
  {
    name: 'several non-transient checks are all named; transient ones are left out',
    state: stateOf([fail(0, [dbDown, missingSecret, pendingMigration])]),
    now: at(1),
    expected: { action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE' },
    detail:
      /^config:required, migrations:applied failed and will not heal: config:required: missing SECRET_KEY; migrations:applied: pending: 0003_tariffs$/,
  },
  {
    name: 'non-transient after passing probes → ABANDON (never waits out the threshold)',
    state: stateOf([pass(0), pass(5), fail(10, [pendingMigration])]),
    now: at(11),
    expected: { action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE' },
    detail: /migrations:applied/,
  },
  {
    name: 'non-transient stays decisive when the next probe times out',
    state: stateOf([fail(0, [missingSecret]), error(5)]),
    now: at(6),
    expected: { action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE' },
    detail: /config:required/,
  },
  {
    name: 'non-transient reported by another instance is not this instance’s failure',
    state: stateOf([fail(0, [missingSecret], { instanceId: OTHER })]),
    now: at(1),
    expected: { action: 'WAIT', reason: 'WRONG_INSTANCE' },
    detail: new RegExp(`^answered by ${OTHER}, expected ${ID}`),
  },
  {
    name: 'another instance answering → WAIT WRONG_INSTANCE',
    state: stateOf([pass(0), pass(5), pass(10, { instanceId: OTHER })]),
    now: at(11),
    expected: { action: 'WAIT', reason: 'WRONG_INSTANCE' },
    detail: /answered by i-0fff/,
  },
  {
    name: 'an answer without instanceId → WAIT WRONG_INSTANCE',
    state: stateOf([pass(0, { instanceId: undefined })]),
    now: at(1),
    expected: { action: 'WAIT', reason: 'WRONG_INSTANCE' },
    detail: /did not name its instance/,
  },
  {
    name: 'another instance answering until the deadline → ABANDON DEADLINE_EXCEEDED',
    state: stateOf([pass(590, { instanceId: OTHER }), pass(595, { instanceId: OTHER })]),
    now: at(600),
    expected: { action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' },
    detail: /answered by i-0fff/,
  },
  {
    name: 'no usable answer → WAIT with the error',
    state: stateOf([error(0, 'connect ECONNREFUSED 10.0.1.5:80')]),
    now: at(1),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /^no usable answer: connect ECONNREFUSED/,
  },
  {
    name: 'a transient, non-shared failure → WAIT naming it',
    state: stateOf([fail(0, [pageBroken])]),
    now: at(1),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /^page:home failed \(transient\): GET \/ answered 500$/,
  },
  {
    name: 'fail without a named check',
    state: stateOf([fail(0, [])]),
    now: at(1),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /answered fail with HTTP 503 without naming a check/,
  },
  {
    name: 'deadline with no probe → ABANDON',
    state: stateOf([]),
    now: at(600),
    expected: { action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' },
    detail: /^deadline of 600 s passed .*no probe was recorded$/,
  },
  {
    name: 'deadline while passing but below the threshold → ABANDON',
    state: stateOf([error(585), pass(590), pass(595)]),
    now: at(600),
    expected: { action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' },
    detail: /last: 2\/3 consecutive passing probes/,
  },
  {
    name: 'threshold met by probes that started before the deadline → CONTINUE even if decided after it',
    state: stateOf([pass(585), pass(590), pass(599)]),
    now: at(602),
    expected: { action: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET' },
    detail: /3\/3/,
  },
  {
    name: 'a probe started at the deadline does not count',
    state: stateOf([pass(590), pass(595), pass(600)]),
    now: at(600.1),
    expected: { action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' },
    detail: /deadline/,
  },
  {
    name: 'shared-only failure, no baseline yet → WAIT, comparing',
    state: stateOf([fail(0, [dbDown])]),
    now: at(1),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail:
      /database:responseTime failed \(transient\): connection refused; comparing with in-service instances$/,
  },
  {
    name: 'shared outage confirmed by the baseline, wait mode → WAIT SHARED_OUTAGE',
    state: stateOf(
      [fail(0, [dbDown])],
      baseline(1, [{ failing: [dbName] }, { failing: [dbName] }, { failing: [] }]),
    ),
    now: at(2),
    expected: { action: 'WAIT', reason: 'SHARED_OUTAGE' },
    detail:
      /^shared outage: database:responseTime failing on the canary and on 2\/3 in-service instances; waiting .*598 s/,
  },
  {
    name: 'shared outage confirmed, abandon mode → ABANDON SHARED_OUTAGE',
    state: stateOf([fail(0, [dbDown])], baseline(1, [{ failing: [dbName, 'cache:ping'] }])),
    now: at(2),
    policy: policy({ onSharedOutage: 'abandon' }),
    expected: { action: 'ABANDON', reason: 'SHARED_OUTAGE' },
    detail: /1\/1 in-service instances; onSharedOutage is 'abandon'$/,
  },
  {
    name: 'a check listed in policy.sharedChecks counts as shared',
    state: stateOf(
      [fail(0, [{ name: 'payments:api', transient: true, componentType: 'component' }])],
      baseline(1, [{ failing: ['payments:api'] }]),
    ),
    now: at(2),
    policy: policy({ sharedChecks: ['payments:api'] }),
    expected: { action: 'WAIT', reason: 'SHARED_OUTAGE' },
    detail: /payments:api failing/,
  },
  {
    name: 'componentType shared counts as shared',
    state: stateOf(
      [fail(0, [{ name: 'queue:depth', transient: true, componentType: 'shared' }])],
      baseline(1, [{ failing: ['queue:depth'] }]),
    ),
    now: at(2),
    expected: { action: 'WAIT', reason: 'SHARED_OUTAGE' },
    detail: /queue:depth/,
  },
  {
    name: 'in-service instances pass → a bad canary, not an outage',
    state: stateOf([fail(0, [dbDown])], baseline(1, [{ failing: [] }, { failing: [] }])),
    now: at(2),
    policy: policy({ onSharedOutage: 'abandon' }),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /0\/2 in-service instances fail the same checks \(not a shared outage\)$/,
  },
  {
    name: 'fewer than half of the in-service instances failing → not an outage',
    state: stateOf(
      [fail(0, [dbDown])],
      baseline(1, [{ failing: [dbName] }, { failing: [] }, { failing: [] }]),
    ),
    now: at(2),
    policy: policy({ onSharedOutage: 'abandon' }),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /1\/3 in-service/,
  },
  {
    name: 'no in-service instance to compare with',
    state: stateOf([fail(0, [dbDown])], baseline(1, [])),
    now: at(2),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /no in-service instance to compare with$/,
  },
  {
    name: 'a stale baseline does not confirm an outage',
    state: stateOf([fail(30, [dbDown])], baseline(1, [{ failing: [dbName] }])),
    now: at(31),
    policy: policy({ onSharedOutage: 'abandon' }),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /comparing with in-service instances$/,
  },
  {
    name: 'a shared and a non-shared failing check → not an outage',
    state: stateOf([fail(0, [dbDown, pageBroken])], baseline(1, [{ failing: [dbName, 'page:home'] }])),
    now: at(2),
    policy: policy({ onSharedOutage: 'abandon' }),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /^database:responseTime, page:home failed \(transient\)/,
  },
  {
    name: 'omitted checks → never an outage',
    state: stateOf([fail(0, [dbDown], { omittedChecks: 2 })], baseline(1, [{ failing: [dbName] }])),
    now: at(2),
    policy: policy({ onSharedOutage: 'abandon' }),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /\(\+2 more\) failed \(transient\)/,
  },
  {
    name: 'a shared outage until the deadline → DEADLINE_EXCEEDED mentioning it',
    state: stateOf([fail(595, [dbDown])], baseline(596, [{ failing: [dbName] }])),
    now: at(600),
    expected: { action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' },
    detail: /during a shared outage: database:responseTime failing on the canary and on 1\/1/,
  },
  {
    name: 'a baseline from the previous group (blue/green) → SHARED_OUTAGE naming that group',
    state: stateOf([fail(0, [dbDown])], {
      ...baseline(1, [{ failing: [dbName] }, { failing: [dbName] }]),
      group: 'web-v1',
    }),
    now: at(2),
    policy: policy({ onSharedOutage: 'abandon' }),
    expected: { action: 'ABANDON', reason: 'SHARED_OUTAGE' },
    detail: /on 2\/2 in-service instances of web-v1; onSharedOutage is 'abandon'$/,
  },
  {
    name: 'the previous group passing → a bad canary, the group named',
    state: stateOf([fail(0, [dbDown])], { ...baseline(1, [{ failing: [] }]), group: 'web-v1' }),
    now: at(2),
    policy: policy({ onSharedOutage: 'abandon' }),
    expected: { action: 'WAIT', reason: 'AWAITING_HEALTHY' },
    detail: /0\/1 in-service instances of web-v1 fail the same checks \(not a shared outage\)$/,
  },
  {
    name: 'a non-transient datastore failure is no outage: ABANDON',
    state: stateOf([fail(0, [pendingMigration])], baseline(1, [{ failing: ['migrations:applied'] }])),
    now: at(2),
    expected: { action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE' },
    detail: /migrations:applied/,
  },
];

describe('decide', () => {
  it.each(rows)('$name', (row) => {
    const decision = decide({ policy: row.policy ?? policy(), state: row.state, now: row.now });
    expect({ action: decision.action, reason: decision.reason }).toEqual(row.expected);
    expect(decision.detail).toMatch(row.detail);
  });

  it('covers every reason the engine gives', () => {
    const engine: DecisionReason[] = [
      DecisionReason.HEALTHY_THRESHOLD_MET,
      DecisionReason.NON_TRANSIENT_FAILURE,
      DecisionReason.DEADLINE_EXCEEDED,
      DecisionReason.SHARED_OUTAGE,
      DecisionReason.AWAITING_HEALTHY,
      DecisionReason.WRONG_INSTANCE,
    ];
    expect(new Set(rows.map((r) => r.expected.reason))).toEqual(new Set(engine));
  });

  it('bounds the detail and strips control characters', () => {
    const long = { ...missingSecret, name: `config:${'x'.repeat(300)}`, output: `a\nb${'y'.repeat(2000)}` };
    const checks = Array.from({ length: 8 }, (_, i) => ({ ...long, name: `${long.name}${i}` }));
    const decision = decide({ policy: policy(), state: stateOf([fail(0, checks)]), now: at(1) });
    expect(decision.reason).toBe('NON_TRANSIENT_FAILURE');
    expect(decision.detail.length).toBeLessThanOrEqual(MAX_DETAIL_LENGTH);
    expect(decision.detail.endsWith('…')).toBe(true);
    expect(decision.detail).not.toMatch(/\n/);
  });

  it('fails closed on a time that is not a number', () => {
    const decision = decide({ policy: policy(), state: stateOf([pass(0)]), now: Number.NaN });
    expect(decision).toMatchObject({ action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' });
  });

  it('is pure: same inputs, same decision, state untouched', () => {
    const state = stateOf([pass(0), fail(5, [dbDown])], baseline(6, [{ failing: [dbName] }]));
    const copy = structuredClone(state);
    const a = decide({ policy: policy(), state, now: at(7) });
    const b = decide({ policy: policy(), state, now: at(7) });
    expect(a).toEqual(b);
    expect(state).toEqual(copy);
  });
});

describe('needsBaseline', () => {
  it('asks for a baseline when the canary fails only on shared, transient checks', () => {
    expect(needsBaseline(policy(), stateOf([fail(0, [dbDown])]), at(1))).toBe(true);
  });

  it('not while a fresh baseline exists; again once it is stale (interval × healthyThreshold = 15 s)', () => {
    const state = stateOf([fail(0, [dbDown])], baseline(1, [{ failing: [dbName] }]));
    expect(needsBaseline(policy(), state, at(15.9))).toBe(false);
    expect(needsBaseline(policy(), state, at(16))).toBe(true);
  });

  it.each([
    ['passing canary', [pass(0)]],
    ['non-shared failure', [fail(0, [pageBroken])]],
    ['shared and non-shared failure', [fail(0, [dbDown, pageBroken])]],
    ['non-transient datastore failure', [fail(0, [pendingMigration])]],
    ['another instance answering', [fail(0, [dbDown], { instanceId: OTHER })]],
    ['no answer', [error(0)]],
    ['omitted checks', [fail(0, [dbDown], { omittedChecks: 1 })]],
    ['no probe', []],
  ])('not for %s', (_name, observations) => {
    expect(needsBaseline(policy(), stateOf(observations), at(1))).toBe(false);
  });

  it('not at or after the deadline', () => {
    expect(needsBaseline(policy(), stateOf([fail(599, [dbDown])]), at(600))).toBe(false);
  });
});
