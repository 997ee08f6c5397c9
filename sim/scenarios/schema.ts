/**
 * The scenario file's schema (zod): what a YAML or JSON scenario may say, validated as a whole so every problem
 * is reported at once with the path of its field. The output is the runner's own {@link Scenario}: built-in
 * scenarios and users' files are one model.
 */
import { z } from 'zod';
import { RefreshStatus } from '../../shared/aws';
import { DeployFailure, DeployOutcome, DeployStrategy } from '../../shared/deploy';
import { DecisionReason } from '../../shared/gate';
import { EXTRA_MIGRATIONS, type ExtraMigration } from '../fleet/migrations';
import {
  type DeployExpectation,
  type ExpectedDecision,
  type Scenario,
  ScenarioDatabase,
  type ScenarioStep,
  StepKind,
} from './types';

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const name = (what: string) =>
  z.string().regex(NAME, { error: `a ${what} name: lower-case letters, digits and '-', at most 40` });
const ms = z.number().int().min(1).max(3_600_000);
/** A configuration key as SSM names it under a path (`secret-key` → SECRET_KEY in the app's environment). */
const configKey = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, {
  error: "a configuration key: lower-case letters, digits, '.', '_' and '-' (e.g. secret-key)",
});
const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'an environment variable name ([A-Za-z_][A-Za-z0-9_]*)' });
/** Numbers and booleans read naturally in YAML; the environment only holds strings. */
const envValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const policyObject = z.record(z.string(), z.unknown());

const faults = z.strictObject({
  slowStartMs: ms.optional(),
  hangAfterMs: ms.optional(),
  killAfterMs: ms.optional(),
  flapPeriodMs: ms.optional(),
  refuseConnections: z.boolean().optional(),
  lbUnreachable: z.boolean().optional(),
  impostor: z.boolean().optional(),
});

const version = z
  .strictObject({
    name: name('version'),
    description: z.string().optional(),
    command: z.string().trim().min(1).optional(),
    environment: z.record(envName, envValue).optional(),
    configuration: z
      .strictObject({
        set: z.record(configKey, envValue).optional(),
        missing: z.array(configKey).optional(),
      })
      .optional(),
    unappliedMigrations: z
      .array(z.enum(Object.keys(EXTRA_MIGRATIONS) as [ExtraMigration, ...ExtraMigration[]]))
      .optional(),
    faults: faults.optional(),
    policy: policyObject.optional(),
  })
  .check((ctx) => {
    if (ctx.value.command && ctx.value.unappliedMigrations?.length) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value.unappliedMigrations,
        path: ['unappliedMigrations'],
        message: 'only the demo app ships migrations: remove it, or remove command',
      });
    }
  });

const ACTIONS = ['CONTINUE', 'ABANDON'] as const;
const REASONS = Object.values(DecisionReason);
const decision = z.string().transform((text, ctx): ExpectedDecision => {
  const [action = '', reason = '', ...rest] = text.trim().split(/\s+/);
  if (
    !ACTIONS.includes(action as (typeof ACTIONS)[number]) ||
    !REASONS.includes(reason as never) ||
    rest.length
  ) {
    ctx.issues.push({
      code: 'custom',
      input: text,
      message: `a decision "ACTION REASON": ACTION one of ${ACTIONS.join(', ')}, REASON one of ${REASONS.join(', ')}; got ${JSON.stringify(text)}`,
    });
    return z.NEVER;
  }
  return { action: action as ExpectedDecision['action'], reason };
});

const CONTINUED: ExpectedDecision = { action: 'CONTINUE', reason: DecisionReason.HEALTHY_THRESHOLD_MET };
/** `expect: deployed`: the version serves, every instance CONTINUEd, the verdict `proceed`. */
export const DEPLOYED: DeployExpectation = {
  outcome: DeployOutcome.deployed,
  decisions: [CONTINUED],
  verdict: 'proceed',
};

const expectation = z.union([
  z.literal('deployed').transform((): DeployExpectation => DEPLOYED),
  z.strictObject({
    outcome: z.enum(Object.values(DeployOutcome) as [DeployOutcome, ...DeployOutcome[]]),
    failure: z.enum(Object.values(DeployFailure) as [DeployFailure, ...DeployFailure[]]).optional(),
    decisions: z.array(decision).min(1),
    verdict: z.enum(['proceed', 'hold', 'rollback']).optional(),
    maxDecisionMs: ms.optional(),
    minServingCapacity: z.number().int().min(0).max(100).optional(),
    refreshStatus: z.enum(Object.values(RefreshStatus) as [RefreshStatus, ...RefreshStatus[]]).optional(),
  }),
]);

const seconds = z.number().int().min(0).max(172_800);
/** A rolling step's instance refresh preferences (the API's ranges; the cross-field rules are the driver's). */
const refresh = z.strictObject({
  minHealthyPercentage: z.number().int().min(0).max(100).optional(),
  maxHealthyPercentage: z.number().int().min(100).max(200).optional(),
  instanceWarmupSeconds: seconds.optional(),
  checkpointPercentages: z.array(z.number().int().min(1).max(100)).min(1).optional(),
  checkpointDelaySeconds: seconds.optional(),
  bakeTimeSeconds: seconds.optional(),
});

const rate = z.number().min(0).max(1);
const step = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal(StepKind.deploy),
      version: name('version'),
      capacity: z.number().int().min(1).max(100).optional(),
      strategy: z.enum(Object.values(DeployStrategy) as [DeployStrategy, ...DeployStrategy[]]).optional(),
      refresh: refresh.optional(),
      checkFromOutside: z.boolean().optional(),
      expect: expectation,
    }),
    z.strictObject({
      kind: z.literal(StepKind.apiFaults),
      rules: z.array(
        z.strictObject({
          service: z.enum(['autoscaling', 'ec2', 'elb', 'elbv2', 'ssm', 'lambda', 'sqs']).optional(),
          action: z.string().optional(),
          throttleRate: rate.optional(),
          errorRate: rate.optional(),
          errorCode: z.enum(['InternalFailure', 'ServiceUnavailable']).optional(),
          latencyMs: z.number().int().min(0).max(60_000).optional(),
          maxConsecutive: z.number().int().min(1).optional(),
        }),
      ),
    }),
    z.strictObject({ kind: z.literal(StepKind.databaseOutage) }),
  ],
  { error: `a step: kind one of ${Object.values(StepKind).join(', ')}` },
);

/** A scenario as a file states it. */
export const ScenarioFileSchema = z
  .strictObject({
    name: name('scenario'),
    description: z.string().min(1),
    capacity: z.number().int().min(1).max(100).optional(),
    canary: z.number().int().min(1).max(100).optional(),
    configuration: z.record(configKey, envValue).optional(),
    database: z.enum(Object.values(ScenarioDatabase) as [ScenarioDatabase, ...ScenarioDatabase[]]).optional(),
    policy: policyObject.optional(),
    timeScale: z.number().min(0.001).max(10).optional(),
    timeoutMs: z.number().int().min(10_000).max(3_600_000).optional(),
    versions: z.array(version).min(1),
    /** The version serving before the rollout: deployed first, and expected to go live. */
    baseline: name('version').optional(),
    steps: z.array(step).min(1),
  })
  .check((ctx) => {
    const scenario = ctx.value;
    const names = scenario.versions.map((v) => v.name);
    for (const [i, n] of names.entries()) {
      if (names.indexOf(n) !== i) {
        ctx.issues.push({
          code: 'custom',
          input: n,
          path: ['versions', i, 'name'],
          message: `a second version named ${n}`,
        });
      }
    }
    const known = `one of the versions (${names.join(', ')})`;
    if (scenario.baseline !== undefined && !names.includes(scenario.baseline)) {
      ctx.issues.push({
        code: 'custom',
        input: scenario.baseline,
        path: ['baseline'],
        message: `${known}, got ${scenario.baseline}`,
      });
    }
    let deployed = scenario.baseline !== undefined;
    for (const [i, s] of scenario.steps.entries()) {
      if (s.kind === StepKind.deploy && s.strategy === DeployStrategy.rolling) {
        if (!deployed) {
          ctx.issues.push({
            code: 'custom',
            input: s.strategy,
            path: ['steps', i, 'strategy'],
            message:
              'a rolling deploy refreshes the serving group: deploy one first (baseline, or an earlier step)',
          });
        }
        if (s.capacity !== undefined) {
          ctx.issues.push({
            code: 'custom',
            input: s.capacity,
            path: ['steps', i, 'capacity'],
            message: "a rolling deploy keeps the serving group's capacity: remove it",
          });
        }
      } else if (s.kind === StepKind.deploy && s.refresh !== undefined) {
        ctx.issues.push({
          code: 'custom',
          input: s.refresh,
          path: ['steps', i, 'refresh'],
          message: 'instance refresh preferences need strategy: rolling',
        });
      }
      if (s.kind === StepKind.deploy) deployed = true;
      if (s.kind === StepKind.deploy && !names.includes(s.version)) {
        ctx.issues.push({
          code: 'custom',
          input: s.version,
          path: ['steps', i, 'version'],
          message: `${known}, got ${s.version}`,
        });
      }
      if (s.kind === StepKind.databaseOutage && scenario.database !== ScenarioDatabase.postgresql) {
        ctx.issues.push({
          code: 'custom',
          input: s.kind,
          path: ['steps', i, 'kind'],
          message: 'a database outage needs database: postgresql (a SQLite file cannot go away)',
        });
      }
    }
    if (
      scenario.canary !== undefined &&
      scenario.capacity !== undefined &&
      scenario.canary > scenario.capacity
    ) {
      ctx.issues.push({
        code: 'custom',
        input: scenario.canary,
        path: ['canary'],
        message: `at most capacity (${scenario.capacity})`,
      });
    }
  });

export type ScenarioFile = z.output<typeof ScenarioFileSchema>;

/** The runner's scenario: the baseline becomes the first deploy step. */
export function toScenario(file: ScenarioFile): Scenario {
  const { baseline, steps, ...rest } = file;
  const all: ScenarioStep[] = [
    ...(baseline ? [{ kind: StepKind.deploy, version: baseline, expect: DEPLOYED } as const] : []),
    ...(steps as ScenarioStep[]),
  ];
  return { ...rest, steps: all };
}
