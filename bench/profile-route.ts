/**
 * `npx tsx bench/profile-route.ts --route live|deepToken|deepPublic|bare --out <dir> [--seconds 5]`: loads one
 * route of a freshly started server (the app, or the bare yardstick) with autocannon (50 connections) while the
 * server records a V8 CPU profile (`--cpu-prof`) into `<dir>`; the profile is written when the server stops.
 * Where the time of one route goes, before changing anything.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { BENCH_TOKEN, BenchServer, startAppProcess } from './app-process';
import { APP_VARIANTS } from './health-load';

const ROUTES = {
  bare: { server: BenchServer.bare, path: '/health/live', token: false },
  live: { server: BenchServer.app, path: '/health/live', token: false },
  deepToken: { server: BenchServer.app, path: '/health', token: true },
  deepPublic: { server: BenchServer.app, path: '/health', token: false },
} as const;

const { values } = parseArgs({
  options: { route: { type: 'string' }, out: { type: 'string' }, seconds: { type: 'string' } },
});
const route = ROUTES[(values.route ?? '') as keyof typeof ROUTES];
if (route === undefined || values.out === undefined) {
  process.stderr.write(`usage: --route ${Object.keys(ROUTES).join('|')} --out <dir> [--seconds N]\n`);
  process.exit(2);
}
const server = await startAppProcess(APP_VARIANTS.cached, {
  server: route.server,
  execArgv: ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.out)}`],
});
try {
  const result = await autocannon({
    url: `${server.url}${route.path}`,
    headers: route.token ? { 'x-health-token': BENCH_TOKEN } : {},
    connections: 50,
    duration: Number(values.seconds ?? 5),
    timeout: 10,
  });
  process.stdout.write(
    `${values.route}: ${Math.round(result.requests.average)} req/s, non-2xx ${result.non2xx}\n`,
  );
} finally {
  await server.stop();
}
