import {
  type BaselineObservation,
  DEFAULT_POLICY,
  type FailingCheck,
  type GateState,
  initialState,
  type Policy,
  type ProbeObservation,
  recordBaseline,
  recordProbe,
} from '../../../shared/gate';

export const ID = 'i-0abc1234def567890';
export const OTHER = 'i-0fff0000aaa111222';
export const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

export function policy(overrides: Partial<Policy> = {}): Policy {
  return { ...DEFAULT_POLICY, ...overrides };
}

/** A passing probe from the expected instance at `T0 + seconds`. */
export function pass(seconds: number, overrides: Partial<ProbeObservation> = {}): ProbeObservation {
  return {
    at: T0 + seconds * 1000,
    latencyMs: 12,
    outcome: 'pass',
    httpStatus: 200,
    instanceId: ID,
    failingChecks: [],
    ...overrides,
  };
}

/** A failing probe from the expected instance with `checks`. */
export function fail(
  seconds: number,
  checks: FailingCheck[],
  overrides: Partial<ProbeObservation> = {},
): ProbeObservation {
  return {
    at: T0 + seconds * 1000,
    latencyMs: 20,
    outcome: 'fail',
    httpStatus: 503,
    instanceId: ID,
    failingChecks: checks,
    ...overrides,
  };
}

/** No usable answer. */
export function error(seconds: number, message = 'timed out after 3000 ms'): ProbeObservation {
  return { at: T0 + seconds * 1000, latencyMs: 3000, outcome: 'error', failingChecks: [], error: message };
}

export const missingSecret: FailingCheck = {
  name: 'config:required',
  transient: false,
  componentType: 'component',
  output: 'missing SECRET_KEY',
};
export const pendingMigration: FailingCheck = {
  name: 'migrations:applied',
  transient: false,
  componentType: 'datastore',
  output: 'pending: 0003_tariffs',
};
export const dbDown: FailingCheck = {
  name: 'database:responseTime',
  transient: true,
  componentType: 'datastore',
  output: 'connection refused',
};
export const pageBroken: FailingCheck = {
  name: 'page:home',
  transient: true,
  componentType: 'component',
  output: 'GET / answered 500',
};

export function stateOf(observations: ProbeObservation[], baseline?: BaselineObservation): GateState {
  let state = initialState({ instanceId: ID, startedAt: T0 });
  for (const o of observations) state = recordProbe(state, o);
  return baseline ? recordBaseline(state, baseline) : state;
}

export function baseline(
  seconds: number,
  instances: { failing: string[]; outcome?: BaselineObservation['instances'][number]['outcome'] }[],
): BaselineObservation {
  return {
    at: T0 + seconds * 1000,
    instances: instances.map((i, n) => ({
      instanceId: `i-0base${n}`,
      outcome: i.outcome ?? (i.failing.length > 0 ? 'fail' : 'pass'),
      failingChecks: i.failing,
    })),
  };
}
