import { type AppProcess, BENCH_TOKEN, BenchServer, startAppProcess } from './app-process';
import { type BaselineTree, unpackBaseline } from './baseline';
import { APP_VARIANTS } from './health-load';
import { type SideBySideResult, sideBySide, type Target } from './side-by-side';

/** The shape of the health-cost run: autocannon at 50 connections, alternating rounds. */
export const HEALTH_COST = { connections: 50, durationSeconds: 1, rounds: 10 } as const;

/** The ratios the targets are stated in: deep cached over liveness (both bodies), liveness over bare. */
const AFTER_RATIOS = [
  ['deepToken', 'live'],
  ['deepPublic', 'live'],
  ['live', 'bare'],
] as const;
/** With a baseline: the same ratios for the earlier commit, and each route's speed-up. */
const BEFORE_RATIOS = [
  ['deepTokenBefore', 'liveBefore'],
  ['deepPublicBefore', 'liveBefore'],
  ['liveBefore', 'bare'],
  ['live', 'liveBefore'],
  ['deepToken', 'deepTokenBefore'],
  ['deepPublic', 'deepPublicBefore'],
] as const;

/** The health-cost run's figures and what the servers were. */
export interface HealthCostResult extends SideBySideResult {
  appEnv: Record<string, string>;
  /** The earlier commit measured beside this checkout, if any. */
  baselineCommit?: string;
  /** The commit measured as "after" instead of this checkout, if any. */
  afterCommit?: string;
}

/** The app's three routes as targets, keyed with `suffix` (`''` for this checkout, `Before` for a baseline). */
function appTargets(app: AppProcess, suffix: string, label: string): Target[] {
  const cpu = async () => (await app.stats()).cpuMicros;
  return [
    { key: `live${suffix}`, name: `app${label} /health/live`, url: `${app.url}/health/live`, cpuMicros: cpu },
    {
      key: `deepToken${suffix}`,
      name: `app${label} /health cached, token (detailed body)`,
      url: `${app.url}/health`,
      headers: { 'x-health-token': BENCH_TOKEN },
      cpuMicros: cpu,
    },
    {
      key: `deepPublic${suffix}`,
      name: `app${label} /health cached, no token (status only)`,
      url: `${app.url}/health`,
      cpuMicros: cpu,
    },
  ];
}

/**
 * The per-request cost of the app's health routes, side by side in one run: a bare fastify app's liveness
 * route (no logger, no hooks) as the yardstick; the app's `/health/live`; its cached deep `/health` with the
 * token (detailed body) and without (status only). With `baselineCommit`, that commit's app is started too and
 * its routes join the same rounds, so before and after are measured under the same load; with `afterCommit`,
 * that commit's app stands in for this checkout's. `execArgv` reaches the "after" app process (e.g.
 * `--cpu-prof`).
 */
export async function measureHealthCost(
  options: {
    rounds?: number;
    durationSeconds?: number;
    execArgv?: string[];
    baselineCommit?: string;
    afterCommit?: string;
  } = {},
  say: (line: string) => void = () => {},
): Promise<HealthCostResult> {
  const processes: AppProcess[] = [];
  let baseline: BaselineTree | undefined;
  let after: BaselineTree | undefined;
  try {
    if (options.baselineCommit) {
      baseline = await unpackBaseline(options.baselineCommit);
      say(`baseline ${baseline.commit} unpacked in ${baseline.root}`);
    }
    if (options.afterCommit) {
      after = await unpackBaseline(options.afterCommit);
      say(`after ${after.commit} unpacked in ${after.root}`);
    }
    const [bare, app, before] = await Promise.all([
      startAppProcess({}, { server: BenchServer.bare }),
      startAppProcess(APP_VARIANTS.cached, { execArgv: options.execArgv, root: after?.root }),
      baseline ? startAppProcess(APP_VARIANTS.cached, { root: baseline.root }) : undefined,
    ]);
    processes.push(bare, app, ...(before ? [before] : []));
    const targets: Target[] = [
      {
        key: 'bare',
        name: 'bare fastify, /health/live',
        url: `${bare.url}/health/live`,
        cpuMicros: async () => (await bare.stats()).cpuMicros,
      },
      ...appTargets(app, '', ''),
      ...(before ? appTargets(before, 'Before', ` before (${baseline?.commit.slice(0, 7)})`) : []),
    ];
    await expectBodies(targets);
    const result = await sideBySide(
      targets,
      {
        connections: HEALTH_COST.connections,
        durationSeconds: options.durationSeconds ?? HEALTH_COST.durationSeconds,
        rounds: options.rounds ?? HEALTH_COST.rounds,
        ratios: before ? [...AFTER_RATIOS, ...BEFORE_RATIOS] : AFTER_RATIOS,
      },
      say,
    );
    return {
      ...result,
      appEnv: app.env,
      ...(baseline ? { baselineCommit: baseline.commit } : {}),
      ...(after ? { afterCommit: after.commit } : {}),
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await baseline?.remove();
    await after?.remove();
  }
}

/** A bench of the wrong answer is worthless: each target must answer what its name says before it is loaded. */
async function expectBodies(targets: readonly Target[]): Promise<void> {
  for (const target of targets) {
    const res = await fetch(target.url, { headers: target.headers, signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { status?: string; checks?: unknown };
    const detailed = body.checks !== undefined;
    if (res.status !== 200 || body.status !== 'pass' || detailed !== target.key.startsWith('deepToken')) {
      throw new Error(
        `${target.name}: unexpected answer ${res.status} ${JSON.stringify(body).slice(0, 200)}`,
      );
    }
  }
}
