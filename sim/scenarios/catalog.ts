/** The scenarios `npm start -- --scenario NAME` runs. Add one by appending an object here. */
import { type DeployExpectation, FaultProfile, type Scenario, type VersionSpec } from './types';

const good = (name: string): VersionSpec => ({ name, fault: FaultProfile.none });

const CONTINUED = { action: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET' } as const;
const serve = (version: string, capacity?: number) =>
  ({
    kind: 'deploy',
    version,
    ...(capacity ? { capacity } : {}),
    expect: { outcome: 'deployed', decisions: [CONTINUED], verdict: 'proceed' },
  }) as const;

/** A serving v1, then v2 with `fault`: the canary must be stopped with one of `decisions`, v1 left serving. */
const faultScenario = (
  name: string,
  fault: FaultProfile,
  description: string,
  decisions: DeployExpectation['decisions'],
  policy?: Record<string, unknown>,
): Scenario => ({
  name,
  description,
  capacity: 2,
  versions: [good('v1'), { name: 'v2', fault }],
  ...(policy ? { policy } : {}),
  steps: [
    serve('v1'),
    {
      kind: 'deploy',
      version: 'v2',
      expect: { outcome: 'rolled-back', failure: 'CIRCUIT_BREAKER', decisions },
    },
  ],
});

const NON_TRANSIENT = { action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE' } as const;
const DEADLINE = { action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' } as const;
/** Faults that show only at the gate's deadline: a second abandon would only repeat the wait. */
const ONE_ABANDON = { maxAbandonsPerVersion: 1 } as const;

/** Every scenario, the default first. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'rollout',
    description:
      'v1 serves; v2 (good) rolls out, every instance CONTINUEd, v1 retired; v3 (broken: a migration never applied) — its canary is abandoned, the rollout stops and v2 keeps serving untouched.',
    capacity: 3,
    versions: [
      good('v1'),
      good('v2'),
      { name: 'v3', fault: FaultProfile.pendingMigration, description: 'migration 0003 not applied' },
    ],
    steps: [
      serve('v1'),
      serve('v2'),
      {
        kind: 'deploy',
        version: 'v3',
        expect: {
          outcome: 'rolled-back',
          failure: 'CIRCUIT_BREAKER',
          decisions: [NON_TRANSIENT],
          verdict: 'rollback',
          maxDecisionMs: 30_000,
        },
      },
    ],
  },
  faultScenario(
    'missing-config',
    FaultProfile.missingConfig,
    'v2 lacks SECRET_KEY: the app refuses to boot; its boot-failure report names the key as non-transient, the gate abandons at once.',
    [NON_TRANSIENT],
  ),
  faultScenario(
    'pending-migration',
    FaultProfile.pendingMigration,
    'v2 ships a migration the release step never applied: /health names it as non-transient, the gate abandons at once.',
    [NON_TRANSIENT],
  ),
  faultScenario(
    'broken-home',
    FaultProfile.brokenHome,
    "v2's home page fails to render while its database answers: /health reports the page check as non-transient, the gate abandons at once.",
    [NON_TRANSIENT],
  ),
  {
    name: 'slow-boot',
    description:
      "v2's app starts 2 s after its instance runs: the gate waits, then CONTINUEs; v1 is retired.",
    capacity: 2,
    versions: [good('v1'), { name: 'v2', fault: FaultProfile.slowBoot }],
    steps: [serve('v1'), serve('v2')],
  },
  faultScenario(
    'hanging-health',
    FaultProfile.hangingHealth,
    "v2's /health never answers within the probe's timeout: the gate abandons at its deadline.",
    [DEADLINE],
    ONE_ABANDON,
  ),
  {
    ...faultScenario(
      'flapping',
      FaultProfile.flapping,
      "v2's process freezes and thaws every 800 ms: its probes never pass 5 times in a row, the gate abandons at its deadline.",
      [DEADLINE],
      ONE_ABANDON,
    ),
    versions: [
      good('v1'),
      // A policy that asks for a run of passes longer than the process stays up.
      { name: 'v2', fault: FaultProfile.flapping, policy: { healthyThreshold: 5, timeoutSeconds: 0.2 } },
    ],
  },
  faultScenario(
    'impostor',
    FaultProfile.impostor,
    "A different instance answers on v2's private IP: the gate refuses to CONTINUE an instance it cannot identify.",
    [{ action: 'ABANDON', reason: 'WRONG_INSTANCE' }, DEADLINE],
    ONE_ABANDON,
  ),
  {
    name: 'database-outage',
    description:
      "The shared database goes away while v1 serves; v2 is deployed into the outage: its canary fails only transient, shared checks, so the gate probes v1's in-service instances (its new group has none; the deploy tagged web-v1 as its baseline group), finds them failing the same checks and abandons it as a SHARED_OUTAGE, not a bad build; the deploy never touches v1.",
    capacity: 2,
    versions: [good('v1'), good('v2')],
    database: 'postgresql',
    policy: {
      // The home page renders from the shared database: it fails with it, so it counts as a shared check.
      sharedChecks: ['homepage:status'],
      // Abandon on the evidence at once rather than wait out the deadline (the default, `wait`).
      onSharedOutage: 'abandon',
      maxAbandonsPerVersion: 1,
    },
    steps: [
      serve('v1'),
      { kind: 'database-outage' },
      {
        kind: 'deploy',
        version: 'v2',
        expect: {
          outcome: 'rolled-back',
          failure: 'CIRCUIT_BREAKER',
          decisions: [{ action: 'ABANDON', reason: 'SHARED_OUTAGE' }],
          // Decided on the first probe and its baseline, far before the 20 s deadline.
          maxDecisionMs: 15_000,
        },
      },
    ],
  },
  {
    name: 'fifty-instances',
    description:
      'v1 serves 5 instances; v2 rolls out 50 instances at once (canary of 5): every one gated and CONTINUEd.',
    capacity: 5,
    versions: [good('v1'), good('v2')],
    steps: [serve('v1'), { ...serve('v2', 50) }],
    canary: 5,
    // Fifty app processes booting at once take a two-core machine tens of seconds: AWS time runs at half speed
    // (a 150 s hook heartbeat) and the gate probes each instance every second, with a deadline to match.
    timeScale: 0.5,
    policy: { intervalSeconds: 1, timeoutSeconds: 0.8, deadlineSeconds: 120 },
    timeoutMs: 600_000,
  },
  {
    name: 'api-throttling',
    description:
      "30% of AWS API calls are throttled (and some answer 500) while v2 rolls out: the SDKs' retries absorb it and the rollout completes.",
    capacity: 2,
    versions: [good('v1'), good('v2')],
    steps: [
      serve('v1'),
      {
        kind: 'api-faults',
        rules: [
          { service: 'autoscaling', throttleRate: 0.3 },
          { service: 'elb', throttleRate: 0.3 },
          { service: 'ec2', throttleRate: 0.3, errorRate: 0.05 },
          { service: 'ssm', throttleRate: 0.2 },
        ],
      },
      serve('v2'),
    ],
  },
];

/** The scenario `npm start` runs without arguments. */
export const DEFAULT_SCENARIO = 'rollout';

/** A scenario by name, or undefined. */
export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
