import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSsm } from './fake-ssm';
import { tempDir } from './helpers';
import { run, waitFor } from './spawn';

const SECRET = 'ssm-secret-key-value';
const TOKEN = 'ssm-health-token';

// Each test spawns a cold tsx process: generous on a loaded machine.
describe('npm run app with configuration from SSM Parameter Store', { timeout: 60_000 }, () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    for (const c of cleanups.splice(0)) await c();
  });

  async function start(options: { deny?: boolean } = {}) {
    const ssm = await startFakeSsm(
      {
        '/healthgate/app/secret-key': SECRET,
        '/healthgate/app/health-token': TOKEN,
        '/healthgate/app/instance-id': 'i-0fromssm',
        '/elsewhere/secret-key': 'not-this-one',
      },
      options,
    );
    cleanups.push(ssm.close);
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const proc = run(
      'app/cli/serve.ts',
      [],
      {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: dir,
        SQLITE_PATH: path.join(dir, 'app.sqlite'),
        MIGRATE_ON_BOOT: '1',
        SHUTDOWN_DRAIN_MS: '0',
        HEALTHGATE_SSM_CONFIG_PATH: '/healthgate/app/',
        AWS_ENDPOINT_URL: ssm.endpoint,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
      dir,
    );
    children.push(proc.child);
    return { ssm, proc };
  }

  it('boots on SECRET_KEY and HEALTH_TOKEN read from the path, and serves the detailed body to the token', async () => {
    const { ssm, proc } = await start();
    const url = await waitFor(
      () => /listening on (http:\/\/\S+)/.exec(proc.out())?.[1],
      `the listening line (stderr: ${proc.err()})`,
    );
    expect(ssm.calls[0]).toMatchObject({
      target: 'AmazonSSM.GetParametersByPath',
      input: { Path: '/healthgate/app/', Recursive: true, WithDecryption: true },
    });
    const res = await fetch(`${url}/health`, { headers: { 'x-health-token': TOKEN } });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ status: 'pass', instanceId: 'i-0fromssm' });
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'pass' });
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    const everything = body + proc.out() + proc.err();
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(TOKEN);
  });

  it('refuses to boot, naming the path, when the store denies access', async () => {
    const { proc } = await start({ deny: true });
    expect(await proc.exited).not.toBe(0);
    expect(proc.err()).toContain('HEALTHGATE_SSM_CONFIG_PATH');
    expect(proc.err()).toContain('/healthgate/app/');
    expect(proc.err()).toContain('AccessDeniedException');
    expect(proc.out()).not.toContain('listening');
  });
});
