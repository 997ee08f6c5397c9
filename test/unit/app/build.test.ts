import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, waitFor } from './spawn';

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const TOKEN = 'build-test-health-token';

/** Runs a built bundle with plain node and a clean environment; collects its output. */
function runNode(file: string, env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, [file], { cwd, env: cleanEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

// One cold tsx + esbuild run, then plain node processes: generous on a loaded machine.
describe('npm run build: the production bundles', { timeout: 60_000 }, () => {
  let work: string;
  let outDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // Inside the repository (git-ignored .tmp/): the bundles resolve their packages from its node_modules.
    await mkdir(path.join(ROOT, '.tmp'), { recursive: true });
    work = await mkdtemp(path.join(ROOT, '.tmp', 'build-'));
    outDir = path.join(work, 'app');
    const { stdout } = await exec(TSX, [path.join(ROOT, 'scripts/build-app.ts'), '--out-dir', outDir], {
      cwd: ROOT,
      env: cleanEnv({}),
      timeout: 60_000,
    });
    expect(stdout).toContain('built in');
  }, 90_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('writes ESM bundles with source maps, the packages left as imports', async () => {
    for (const name of ['serve', 'migrate']) {
      expect(existsSync(path.join(outDir, `${name}.mjs`)), name).toBe(true);
      expect(existsSync(path.join(outDir, `${name}.mjs.map`)), name).toBe(true);
    }
    const serve = await readFile(path.join(outDir, 'serve.mjs'), 'utf8');
    expect(serve).toMatch(/from "fastify"/);
    expect(serve).toMatch(/"better-sqlite3"/);
    // No TypeScript left to compile at run time.
    expect(serve).not.toMatch(/from "\.\.?\//);
  });

  it('migrate.mjs applies the migrations, then finds them up to date', async () => {
    const env = { NODE_ENV: 'production', SECRET_KEY: 'k', SQLITE_PATH: path.join(work, 'm.sqlite') };
    const first = runNode(path.join(outDir, 'migrate.mjs'), env, work);
    children.push(first.child);
    expect(await first.exited, first.err()).toBe(0);
    expect(first.out()).toContain('applied migrations: 0001_create_tariffs, 0002_seed_tariffs');
    const second = runNode(path.join(outDir, 'migrate.mjs'), env, work);
    children.push(second.child);
    expect(await second.exited, second.err()).toBe(0);
    expect(second.out()).toContain('migrations: up to date');
  });

  it('serve.mjs serves a healthy app in production mode and exits 0 on SIGTERM', async () => {
    const dataDir = path.join(work, 'data');
    await mkdir(dataDir, { recursive: true });
    const proc = runNode(
      path.join(outDir, 'serve.mjs'),
      {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        SECRET_KEY: 'build-test-secret',
        HEALTH_TOKEN: TOKEN,
        DATA_DIR: dataDir,
        SQLITE_PATH: path.join(dataDir, 'app.sqlite'),
        MIGRATE_ON_BOOT: '1',
        SHUTDOWN_DRAIN_MS: '0',
        INSTANCE_METADATA: 'none',
        INSTANCE_ID: 'i-0build',
        APP_VERSION: '9.9.9',
      },
      work,
    );
    children.push(proc.child);
    const url = await waitFor(
      () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(proc.out())?.[1],
      `the listening line (stderr: ${proc.err()})`,
    );
    expect(proc.err()).toContain('applied migrations: 0001_create_tariffs, 0002_seed_tariffs');
    const live = await fetch(`${url}/health/live`);
    expect(live.status).toBe(200);
    const health = await fetch(`${url}/health`, { headers: { 'x-health-token': TOKEN } });
    const body = await health.text();
    expect(health.status, body).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ status: 'pass', instanceId: 'i-0build', version: '9.9.9' });
    proc.child.kill('SIGTERM');
    expect(await proc.exited, proc.err()).toBe(0);
  });
});
