import autocannon from 'autocannon';
import { type AppProcess, BENCH_TOKEN } from './app-process';
import { MIB } from './stats';

/** The app configurations the bench starts, one process each, on top of the bench base environment. */
export const APP_VARIANTS = {
  cached: { HEALTH_CACHE_TTL_MS: '1000' },
  uncached: { HEALTH_CACHE_TTL_MS: '0' },
  slowUncached: { HEALTH_CACHE_TTL_MS: '0', FAULT_HEALTH_DELAY_MS: '100' },
} as const satisfies Record<string, Record<string, string>>;
export type AppVariant = keyof typeof APP_VARIANTS;

/** One load run against one app configuration. */
export interface LoadScenario {
  name: string;
  path: '/health' | '/health/live';
  app: AppVariant | 'postgresUncached';
}

/** What one load run measured. */
export interface LoadResult {
  name: string;
  path: string;
  env: Record<string, string>;
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { mean: number; p50: number; p97_5: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  /** Runs of the deep checks during the load (health runner's count). */
  checkRuns: number;
  checkRunsPer1000Requests: number;
  rssMiBAfter: number;
}

/**
 * The scenarios of part (a): liveness as a floor, deep health cached, uncached (SQLite checks finish within one
 * turn of the event loop, so little overlaps), uncached with a slow check, and uncached on PostgreSQL (checks
 * wait on the network, so concurrent requests share runs).
 */
export const LOAD_SCENARIOS: LoadScenario[] = [
  { name: 'liveness', path: '/health/live', app: 'cached' },
  { name: 'deep, cached (TTL 1000 ms)', path: '/health', app: 'cached' },
  { name: 'deep, uncached (TTL 0, single-flight only)', path: '/health', app: 'uncached' },
  { name: 'deep, uncached, slow check (+100 ms)', path: '/health', app: 'slowUncached' },
  { name: 'deep, uncached, PostgreSQL', path: '/health', app: 'postgresUncached' },
];

/** Runs `scenario` with autocannon against `app`, a real app process on loopback. */
export async function runLoad(
  scenario: LoadScenario,
  app: AppProcess,
  options: { connections: number; durationSeconds: number },
): Promise<LoadResult> {
  const url = `${app.url}${scenario.path}`;
  const headers = { 'x-health-token': BENCH_TOKEN };
  // Warm-up outside the measurement: the JIT and the SQLite page cache.
  for (let i = 0; i < 200; i += 1) {
    await (await fetch(url, { headers })).arrayBuffer();
  }
  const before = await app.stats();
  const result = await autocannon({
    url,
    headers,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 10,
  });
  const after = await app.stats();
  const runs = after.runs - before.runs;
  const requests = result.requests.total;
  return {
    name: scenario.name,
    path: scenario.path,
    env: app.env,
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    requests,
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p97_5: result.latency.p97_5,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    checkRuns: runs,
    checkRunsPer1000Requests: requests > 0 ? Number(((runs * 1000) / requests).toFixed(3)) : 0,
    rssMiBAfter: Number((after.rssBytes / MIB).toFixed(1)),
  };
}
