/**
 * The packed library works outside this repository: `npm pack` builds and packs packages/health, the tarball is
 * installed with express into a fresh plain-JavaScript project in the system temp directory (no TypeScript, no
 * path into this repo), and that project serves a deep /health over real HTTP on loopback.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const PACKAGE_DIR = path.join(ROOT, 'packages/health');
const STEP_TIMEOUT_MS = 120_000;

/** The environment of the npm and node children: none of the npm_* variables of the run that started vitest. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'NODE_OPTIONS' && key !== 'NODE_PATH' && key !== 'INIT_CWD') {
      env[key] = value;
    }
  }
  return { ...env, ...extra };
}

const SERVER = `import { createServer } from 'node:http';
import express from 'express';
import {
  createHealthRunner,
  databaseCheck,
  migrationsCheck,
  pageRendersCheck,
  pendingFromApplied,
  requiredConfigCheck,
} from '@healthgate/health';
import { expressInject, healthMiddleware } from '@healthgate/health/express';

const app = express();
const server = createServer(app);
const runner = createHealthRunner({
  checks: [
    requiredConfigCheck({ keys: ['SESSION_SECRET'] }),
    databaseCheck({ ping: async () => {} }),
    migrationsCheck({
      pending: pendingFromApplied({ expected: ['0001_init', '0002_meters'], applied: async () => ['0001_init', '0002_meters'] }),
    }),
    pageRendersCheck({ inject: expressInject(server), headers: { host: 'www.example.test' }, expectText: '<h1>Hello</h1>' }),
  ],
  identity: { version: '1.0.0', serviceId: 'adopter' },
});
app.use(healthMiddleware({ runner, auth: { token: process.env.HEALTH_TOKEN } }));
app.get('/', (_req, res) => {
  res.send('<h1>Hello</h1>');
});

let fastify = 'absent';
try {
  fastify = import.meta.resolve('fastify');
} catch {}
server.listen(0, '127.0.0.1', () => {
  const facts = { port: server.address().port, library: import.meta.resolve('@healthgate/health'), fastify };
  process.stdout.write(JSON.stringify(facts) + '\\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

describe('the packed @healthgate/health in a fresh express project', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it(
    'installs from the tarball and serves a deep /health over HTTP',
    async () => {
      const work = await realpath(await mkdtemp(path.join(tmpdir(), 'healthgate-pack-')));
      cleanups.push(() => rm(work, { recursive: true, force: true }));
      expect(path.relative(ROOT, work).startsWith('..')).toBe(true);

      const packed = await run('npm', ['pack', '--json', '--pack-destination', work], {
        cwd: PACKAGE_DIR,
        env: cleanEnv(),
        timeout: STEP_TIMEOUT_MS,
      });
      const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
        filename: string;
        files: { path: string }[];
      }[];
      const files = (info?.files ?? []).map((f) => f.path).sort();
      expect(files).toEqual(
        expect.arrayContaining(['README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']),
      );
      for (const entry of ['fastify', 'express', 'node']) {
        expect(files).toEqual(expect.arrayContaining([`dist/${entry}.js`, `dist/${entry}.d.ts`]));
      }
      // Built code and declarations only: no TypeScript sources, nothing of the rest of the repository.
      expect(files.filter((f) => !/^(dist\/.+\.(js|d\.ts)|README\.md|package\.json)$/.test(f))).toEqual([]);

      const project = path.join(work, 'adopter');
      await run('mkdir', [project]);
      await writeFile(
        path.join(project, 'package.json'),
        `${JSON.stringify({ name: 'adopter', private: true, type: 'module' }, null, 2)}\n`,
      );
      await run(
        'npm',
        [
          'install',
          path.join(work, info?.filename ?? ''),
          'express@^5',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--ignore-scripts',
        ],
        { cwd: project, env: cleanEnv(), timeout: STEP_TIMEOUT_MS },
      );
      const installed = JSON.parse(
        await readFile(path.join(project, 'node_modules/@healthgate/health/package.json'), 'utf8'),
      ) as { name: string };
      expect(installed.name).toBe('@healthgate/health');
      await writeFile(path.join(project, 'server.js'), SERVER);

      const child: ChildProcess = spawn(process.execPath, ['server.js'], {
        cwd: project,
        env: cleanEnv({ HEALTH_TOKEN: 'adopter-token', SESSION_SECRET: 'set' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      cleanups.unshift(async () => {
        if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
          process.kill(child.pid, 'SIGTERM');
        }
        await exited;
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const facts = await new Promise<{ port: number; library: string; fastify: string }>(
        (resolve, reject) => {
          let out = '';
          const timer = setTimeout(() => reject(new Error(`no port in time; stderr: ${stderr}`)), 20_000);
          child.stdout?.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const line = out.split('\n')[0];
            if (out.includes('\n') && line) {
              clearTimeout(timer);
              resolve(JSON.parse(line));
            }
          });
          child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
        },
      );
      // Resolved inside the fresh project, and fastify is not needed by the express entry point.
      expect(facts.library).toBe(`file://${project}/node_modules/@healthgate/health/dist/index.js`);
      expect(facts.fastify).toBe('absent');

      const base = `http://127.0.0.1:${facts.port}`;
      const deep = await fetch(`${base}/health`, {
        headers: { 'x-health-token': 'adopter-token' },
        signal: AbortSignal.timeout(10_000),
      });
      expect(deep.status).toBe(200);
      expect(deep.headers.get('content-type')).toBe('application/health+json');
      expect(await deep.json()).toMatchObject({
        status: 'pass',
        version: '1.0.0',
        serviceId: 'adopter',
        checks: {
          'configuration:keys': [{ status: 'pass' }],
          'database:responseTime': [{ status: 'pass' }],
          'migrations:pending': [{ status: 'pass', observedValue: 0 }],
          'homepage:status': [{ status: 'pass', observedValue: 200 }],
        },
      });
      expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'pass' });
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      expect(await (await fetch(`${base}/`)).text()).toBe('<h1>Hello</h1>');
    },
    4 * STEP_TIMEOUT_MS,
  );
});
