/**
 * `npm run bench:gate [-- --rounds N]`: the launch gate's cost and scale (issue 10), measured on the real gate
 * behind the sim's steps queue, event source mapping and Lambda concurrency, gating light instances:
 *
 * 1. **defaults**: 16 passing and 4 non-transiently failing instances booting for 90 s, the default policy
 *    (interval 5 s, healthyThreshold 3), production's hook and load-balancer check, real time: billed / working
 *    time, mean concurrent executions per launching instance, decision latency, control-plane calls per launch;
 * 2. **scale**: 200 instances at once (10 % failing) with a 1 s policy, the gate's reserved concurrency 10 beside
 *    the same run without a limit, in alternating order, `rounds` times (default 5): correctness, hook timeouts,
 *    wall time to the last decision and its ratio per round, throttles, peak concurrency, calls per launch;
 * 3. **stress**: the limited scale run once more with AWS's shortest hook (HeartbeatTimeout 30 s) and boots of
 *    20 s, so every launch must be heartbeated in time while its steps wait for one of the 10 executions.
 *
 * Bounded: about 6 minutes, each run stopped after its own time limit. Writes bench/results/gate-latest.json and
 * gate-latest.md. `--quick` is a smoke run of the bench (a tenth of the fleets, a 10 s boot, nothing written).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FLEET_SETTINGS } from '../shared/fleet/settings';
import { DEFAULT_POLICY } from '../shared/gate';
import { type FleetOutcome, type GateFleetSpec, startGateFleet } from '../test/support/gate-fleet';
import {
  callFigures,
  concurrencyFigures,
  correctnessFigures,
  costFigures,
  latencyFigures,
  ratioSummary,
} from './gate-figures';
import { type GateBenchResults, type GateRun, renderGateBench } from './gate-report';
import { machine } from './machine';

const RESULTS_DIR = path.resolve(import.meta.dirname, 'results');

const fleetLb = FLEET_SETTINGS.loadBalancerHealthCheck;

/** Production's defaults: the default policy, the fleet's hook and load-balancer check, AWS's own times. */
const DEFAULTS_SPEC: GateFleetSpec = {
  seed: 10,
  good: 16,
  bad: 4,
  bootDelayMs: 90_000,
  // Four groups of four, their boots spread over one interval: an instance's first answer may come at any moment
  // between two of the gate's probes, as with real boots, not in step with them.
  goodGroups: 4,
  bootSpreadMs: 5_000,
  policy: {},
  hookHeartbeatTimeoutSeconds: FLEET_SETTINGS.lifecycleHook.heartbeatTimeoutSeconds,
  lbCheck: {
    intervalSeconds: fleetLb.intervalSeconds,
    timeoutSeconds: fleetLb.timeoutSeconds,
    healthyThreshold: fleetLb.healthyThreshold,
    unhealthyThreshold: fleetLb.unhealthyThreshold,
  },
};

/** The 1 s policy of the scale runs: short enough that 200 launches are decided in well under a minute. */
const SCALE_POLICY = {
  intervalSeconds: 1,
  timeoutSeconds: 0.5,
  healthyThreshold: 2,
  deadlineSeconds: 120,
  lbVerifySeconds: 60,
} as const;

const SCALE_SPEC: GateFleetSpec = {
  seed: 11,
  good: 180,
  bad: 20,
  bootDelayMs: 3_000,
  // One group of 180 (a deploy's new group); the failing ones' boots spread over one interval.
  bootSpreadMs: 1_000,
  policy: SCALE_POLICY,
  hookHeartbeatTimeoutSeconds: FLEET_SETTINGS.lifecycleHook.heartbeatTimeoutSeconds,
  lbCheck: { intervalSeconds: 5, timeoutSeconds: 3, healthyThreshold: 2, unhealthyThreshold: 2 },
};

const LIMIT = 10;

/** Launches the spec's fleet, waits for every decision and for the steps queue to drain, reads the run. */
async function runOnce(
  name: string,
  spec: GateFleetSpec,
  limits: { decidedMs: number; quietMs: number },
  say: (line: string) => void,
): Promise<{ outcome: FleetOutcome; decidedMs?: number; quietMs?: number; error?: string }> {
  const fleet = await startGateFleet(spec);
  try {
    const launchedAt = Date.now();
    fleet.launch();
    let error: string | undefined;
    try {
      await fleet.waitDecided(limits.decidedMs);
      await fleet.waitQuiet(limits.quietMs);
    } catch (e) {
      error = (e as Error).message;
    }
    const outcome = fleet.outcome();
    const completions = outcome.instances.map((i) => i.completion?.time).filter((t) => t !== undefined);
    const decidedMs =
      completions.length === outcome.instances.length ? Math.max(...completions) - launchedAt : undefined;
    const quietMs = error === undefined ? Date.now() - launchedAt : undefined;
    say(
      `${name}: ${outcome.instances.length} launches, decided in ${decidedMs ?? '–'} ms, ` +
        `${outcome.lambda.invocations} invocations, ${outcome.lambda.throttles} throttles${error ? `; ${error}` : ''}`,
    );
    return { outcome, decidedMs, quietMs, ...(error ? { error } : {}) };
  } finally {
    await fleet.close();
  }
}

function figures(
  name: string,
  spec: GateFleetSpec,
  run: Awaited<ReturnType<typeof runOnce>>,
  policy: { intervalSeconds: number; healthyThreshold: number },
): GateRun {
  const o = run.outcome;
  return {
    name,
    spec: {
      good: spec.good,
      bad: spec.bad,
      bootDelayMs: spec.bootDelayMs,
      bootSpreadMs: spec.bootSpreadMs ?? 0,
      goodGroups: spec.goodGroups ?? 1,
      policy: { ...spec.policy },
      hookHeartbeatTimeoutSeconds: spec.hookHeartbeatTimeoutSeconds,
      reservedConcurrency: spec.reservedConcurrency ?? null,
    },
    decidedMs: run.decidedMs ?? null,
    quietMs: run.quietMs ?? null,
    error: run.error ?? null,
    correctness: correctnessFigures(o),
    cost: costFigures(o),
    concurrency: concurrencyFigures(o),
    latency: latencyFigures(o, policy),
    calls: callFigures(o),
    batches: o.batches,
    containers: o.lambda.containers,
  };
}

const { values } = parseArgs({ options: { rounds: { type: 'string' }, quick: { type: 'boolean' } } });
const rounds = Math.max(1, Math.min(7, Number(values.rounds ?? 5)));
// A smoke run of the bench itself (a tenth of the fleets, a 10 s boot): its figures are not the ones to commit.
const quick = values.quick === true;
const shrink = (spec: GateFleetSpec, boot: number): GateFleetSpec =>
  quick
    ? { ...spec, good: Math.ceil(spec.good / 10), bad: Math.ceil(spec.bad / 10), bootDelayMs: boot }
    : spec;
const defaultsSpec = shrink(DEFAULTS_SPEC, 10_000);
const scaleSpec = shrink(SCALE_SPEC, SCALE_SPEC.bootDelayMs);
const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * The commit measured, and whether the gate's sources differed from it: people change the checkout while a run
 * is under way, so a committed result names what it measured (`BENCH_COMMIT` names it for a tree without git).
 */
function measuredSource(): { commit: string; dirty: boolean | null } {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: 'pipe' }).trim();
    const dirty = git('status', '--porcelain', '--', 'functions', 'shared', 'sim') !== '';
    return { commit: git('rev-parse', 'HEAD'), dirty };
  } catch {
    return { commit: process.env.BENCH_COMMIT ?? 'unknown', dirty: null };
  }
}

const source = measuredSource();
const facts = machine();
const takenAt = new Date().toISOString();
const started = Date.now();
const defaultsPolicy = {
  intervalSeconds: DEFAULT_POLICY.intervalSeconds,
  healthyThreshold: DEFAULT_POLICY.healthyThreshold,
};

say(
  `machine: ${facts.cpuModel}, ${facts.cores} cores, Node ${facts.node}, load average ${facts.loadAverage1m}`,
);
say(
  `defaults: ${defaultsSpec.good + defaultsSpec.bad} instances booting for ${defaultsSpec.bootDelayMs / 1000} s, the default policy …`,
);
const defaultsRun = figures(
  'defaults',
  defaultsSpec,
  await runOnce('defaults', defaultsSpec, { decidedMs: 240_000, quietMs: 120_000 }, say),
  defaultsPolicy,
);

const scale: { limited: GateRun; unlimited: GateRun; order: string[] }[] = [];
for (let round = 0; round < rounds; round++) {
  // Alternate which run goes first, so a machine growing busier or quieter does not favour one of them.
  const order = round % 2 === 0 ? ['limited', 'unlimited'] : ['unlimited', 'limited'];
  const pair: Partial<Record<'limited' | 'unlimited', GateRun>> = {};
  for (const which of order as ('limited' | 'unlimited')[]) {
    const spec: GateFleetSpec = {
      ...scaleSpec,
      seed: scaleSpec.seed + round,
      ...(which === 'limited' ? { reservedConcurrency: LIMIT } : {}),
    };
    const name = `scale ${which}, round ${round + 1}`;
    pair[which] = figures(
      name,
      spec,
      await runOnce(name, spec, { decidedMs: 180_000, quietMs: 120_000 }, say),
      SCALE_POLICY,
    );
  }
  scale.push({ limited: pair.limited!, unlimited: pair.unlimited!, order });
}

// Boots of 20 s outlast half the 30 s hook: every launch must be heartbeated while 200 share 10 executions.
const stressSpec: GateFleetSpec = {
  ...scaleSpec,
  seed: scaleSpec.seed + 100,
  bootDelayMs: quick ? scaleSpec.bootDelayMs : 20_000,
  reservedConcurrency: LIMIT,
  hookHeartbeatTimeoutSeconds: 30,
};
const stress = figures(
  'stress: limited, 30 s hook',
  stressSpec,
  await runOnce('stress', stressSpec, { decidedMs: 180_000, quietMs: 120_000 }, say),
  SCALE_POLICY,
);

const wallRatios = scale
  .filter((r) => r.limited.decidedMs !== null && r.unlimited.decidedMs !== null)
  .map((r) => Number((r.limited.decidedMs! / r.unlimited.decidedMs!).toFixed(3)));
const results: GateBenchResults = {
  takenAt,
  source,
  machine: facts,
  loadAverage1mAfter: machine().loadAverage1m,
  totalSeconds: Math.round((Date.now() - started) / 1000),
  defaults: defaultsRun,
  scale,
  wallTimeRatio: wallRatios.length > 0 ? ratioSummary(wallRatios) : null,
  stress,
};

const markdown = renderGateBench(results);
if (quick) {
  say(markdown);
} else {
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(path.join(RESULTS_DIR, 'gate-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(path.join(RESULTS_DIR, 'gate-latest.md'), markdown);
  say(markdown);
}
