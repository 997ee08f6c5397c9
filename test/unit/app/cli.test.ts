import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './helpers';
import { run, waitFor } from './spawn';

describe('CLI', () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    for (const c of cleanups.splice(0)) await c();
  });

  it('refuses to boot without SECRET_KEY, naming the key, exit code != 0', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const proc = run('app/cli/serve.ts', [], { NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1' }, dir);
    children.push(proc.child);
    const code = await proc.exited;
    expect(code).not.toBe(0);
    expect(proc.err()).toContain('SECRET_KEY');
    expect(proc.out()).not.toContain('listening');
  });

  it('refuses local defaults in production mode even with the flag', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const proc = run('app/cli/serve.ts', ['--local-defaults'], { NODE_ENV: 'production', PORT: '0' }, dir);
    children.push(proc.child);
    expect(await proc.exited).not.toBe(0);
    expect(proc.err()).toContain('LOCAL_DEFAULTS');
  });

  it('serves a healthy app on local defaults in a fresh directory, says so, and exits 0 on SIGTERM', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const proc = run('app/cli/serve.ts', ['--local-defaults'], { PORT: '0' }, dir);
    children.push(proc.child);
    const url = await waitFor(
      () => /listening on (http:\/\/\S+)/.exec(proc.out())?.[1],
      `the listening line (stderr: ${proc.err()})`,
    );
    expect(proc.err()).toContain('LOCAL DEFAULTS MODE');
    expect(proc.err()).toContain('applied migrations: 0001_create_tariffs, 0002_seed_tariffs');
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    const home = await fetch(`${url}/`);
    expect(await home.text()).toContain('Agile Electricity');
    expect(existsSync(path.join(dir, 'data', 'healthgate.sqlite'))).toBe(true);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });

  it('npm run migrate applies the migrations to the configured database', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const env = { SECRET_KEY: 'k', SQLITE_PATH: path.join(dir, 'm.sqlite') };
    const first = run('app/cli/migrate.ts', [], env, dir);
    children.push(first.child);
    expect(await first.exited).toBe(0);
    expect(first.out()).toContain('applied migrations: 0001_create_tariffs, 0002_seed_tariffs');
    const second = run('app/cli/migrate.ts', [], env, dir);
    children.push(second.child);
    expect(await second.exited).toBe(0);
    expect(second.out()).toContain('migrations: up to date');
  });
});
