/**
 * `npm run bench`: (a) /health throughput and latency with autocannon against the real app on loopback,
 * cached vs uncached, with the check runs per N requests (single-flight); (b) probe + decide cost per probe;
 * (c) boot time to the first healthy /health and RSS; (d) the health routes' cost side by side with a bare
 * fastify app (bench/health-cost.ts). Bounded: about two minutes in all. Writes bench/results/latest.json and
 * bench/results/latest.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startPostgres, type TestPostgres } from '../test/support/postgres';
import { type AppProcess, startAppProcess } from './app-process';
import { bootOnce } from './boot';
import { measureHealthCost } from './health-cost';
import { APP_VARIANTS, LOAD_SCENARIOS, runLoad } from './health-load';
import { machine } from './machine';
import { runProbeCost } from './probe-cost';
import { type BenchResults, renderMarkdown } from './report';
import { median } from './stats';

const LOAD = { connections: 50, durationSeconds: 3 };
const PROBES = 300;
const BOOTS = 3;
const RESULTS_DIR = path.resolve(import.meta.dirname, 'results');

const started = performance.now();
const facts = machine();
const say = (line: string) => process.stdout.write(`${line}\n`);

say('starting the app processes …');
const [cached, uncached, slowUncached] = await Promise.all([
  startAppProcess(APP_VARIANTS.cached),
  startAppProcess(APP_VARIANTS.uncached),
  startAppProcess(APP_VARIANTS.slowUncached),
]);
const apps: Record<string, AppProcess> = { cached, uncached, slowUncached };
const load = [];
const probeResults = [];
const skipped: string[] = [];
let postgres: TestPostgres | undefined;
try {
  try {
    say('starting PostgreSQL …');
    postgres = await startPostgres();
    apps.postgresUncached = await startAppProcess({
      HEALTH_CACHE_TTL_MS: '0',
      DATABASE_URL: await postgres.createDatabase(),
    });
  } catch (error) {
    skipped.push(`PostgreSQL scenario: ${(error as Error).message.split('\n')[0]}`);
  }
  for (const scenario of LOAD_SCENARIOS) {
    const app = apps[scenario.app];
    if (app === undefined) continue;
    say(`load: ${scenario.name} …`);
    load.push(await runLoad(scenario, app, LOAD));
  }
  say('probe + decide …');
  probeResults.push(await runProbeCost('cached (TTL 1000 ms)', cached, PROBES));
  probeResults.push(await runProbeCost('uncached (checks run per probe)', uncached, PROBES));
} finally {
  await Promise.all(Object.values(apps).map((app) => app.stop()));
  await postgres?.stop();
}
say('health cost, side by side …');
const healthCost = await measureHealthCost({}, say);
say('boot …');
const boots = [];
for (let i = 0; i < BOOTS; i += 1) {
  boots.push(await bootOnce());
}
const rss = boots.map((b) => b.rssMiB).filter((v): v is number => v !== undefined);

const results: BenchResults = {
  takenAt: new Date().toISOString(),
  machine: facts,
  load,
  probe: probeResults,
  healthCost,
  boot: {
    runs: boots,
    medianFirstHealthyMs: median(boots.map((b) => b.firstHealthyMs)),
    medianRssMiB: rss.length > 0 ? median(rss) : undefined,
  },
  skipped,
  totalSeconds: Math.round((performance.now() - started) / 100) / 10,
};

await mkdir(RESULTS_DIR, { recursive: true });
await writeFile(path.join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
const markdown = renderMarkdown(results);
await writeFile(path.join(RESULTS_DIR, 'latest.md'), markdown);
say(markdown);
