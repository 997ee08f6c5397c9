/**
 * The opt-in boot-failure report: an app that refuses to boot answers only a failing, non-transient /health on
 * its own address, over real HTTP on port 0; without the opt-in it still exits naming the key.
 */
import { type AddressInfo, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BootFailureReporter,
  bootFailureChecks,
  bootFailureReportOf,
  CONFIG_VALID_CHECK,
  readBootFailureSettings,
  startBootFailureReporter,
} from '../../../app/boot-failure';
import { loadConfig } from '../../../app/config';
import { ConfigError } from '../../../app/errors';
import { HEALTH_CONTENT_TYPE, type HealthBody } from '../../../shared/health';
import { startFakeImds } from './fake-imds';
import { fakeProcess, get, TEST_TOKEN, tempDir, withToken } from './helpers';
import { run, waitFor } from './spawn';

const BASE_ENV = {
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: '0',
  HEALTH_TOKEN: TEST_TOKEN,
  INSTANCE_ID: 'i-0123456789abcdef0',
  APP_VERSION: '1.4.2',
  RELEASE_ID: 'r-42',
  DATABASE_URL: 'postgresql://app:db-password-value@db.internal:5432/app',
};

/** The ConfigError loadConfig throws for `env` (the test fails if it does not throw one). */
function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('boot-failure report (in process, real HTTP)', () => {
  const reporters: BootFailureReporter[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const r of reporters.splice(0)) await r.close();
    for (const c of cleanups.splice(0)) await c();
  });

  async function start(
    env: Record<string, string>,
    extra: { signals?: ReturnType<typeof fakeProcess> } = {},
  ) {
    const proc = extra.signals ?? fakeProcess();
    const lines: string[] = [];
    const reporter = await startBootFailureReporter(configErrorOf(env), env, {
      signals: proc.signals,
      exit: proc.exit,
      print: (line) => lines.push(line),
    });
    reporters.push(reporter);
    const port = (reporter.server.address() as AddressInfo).port;
    return { reporter, port, lines, proc };
  }

  it('missing SECRET_KEY → /health 503 health+json with the identity and a non-transient configuration:keys', async () => {
    const { port, lines } = await start(BASE_ENV);
    const res = await get(port, '/health', withToken);
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe(HEALTH_CONTENT_TYPE);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json() as unknown as HealthBody;
    expect(body).toMatchObject({
      status: 'fail',
      instanceId: 'i-0123456789abcdef0',
      version: '1.4.2',
      releaseId: 'r-42',
      serviceId: 'healthgate-app',
    });
    expect(Object.keys(body.checks ?? {})).toEqual(['configuration:keys']);
    expect(body.checks?.['configuration:keys']).toEqual([
      expect.objectContaining({
        status: 'fail',
        transient: false,
        output: 'missing required configuration: SECRET_KEY',
      }),
    ]);
    expect(res.body).not.toContain('db-password-value');
    expect(res.body).not.toContain(TEST_TOKEN);
    // The log line names the key and where the report answers.
    expect(lines.join('\n')).toMatch(/not started \(SECRET_KEY\).*\/health answers 503/);
  });

  it('without the token (or with a wrong one) → { status: "fail" } only', async () => {
    const { port } = await start(BASE_ENV);
    expect((await get(port, '/health')).json()).toEqual({ status: 'fail' });
    const wrong = await get(port, '/health', { 'x-health-token': 'not-the-token' });
    expect(wrong.status).toBe(503);
    expect(wrong.json()).toEqual({ status: 'fail' });
  });

  it('the health token missing too → status only for everyone: the gate falls back to its deadline', async () => {
    const { HEALTH_TOKEN: _, ...env } = BASE_ENV;
    const { port } = await start(env);
    expect((await get(port, '/health', withToken)).json()).toEqual({ status: 'fail' });
    expect((await get(port, '/health', { 'x-health-token': '' })).json()).toEqual({ status: 'fail' });
  });

  it('HEALTH_CIDRS authorise by the socket peer, as the app does; a custom token header is honoured', async () => {
    const { port } = await start({ ...BASE_ENV, HEALTH_CIDRS: '127.0.0.0/8' });
    expect((await get(port, '/health')).json()).toMatchObject({ instanceId: 'i-0123456789abcdef0' });
    const other = await start({ ...BASE_ENV, HEALTH_TOKEN_HEADER: 'X-Probe-Token' });
    expect((await get(other.port, '/health', { 'x-probe-token': TEST_TOKEN })).json()).toHaveProperty(
      'checks',
    );
    expect((await get(other.port, '/health', withToken)).json()).toEqual({ status: 'fail' });
  });

  it('every other path and method → 503 fail, /health/live included: never 200 anywhere', async () => {
    const { port } = await start(BASE_ENV);
    for (const path of ['/health/live', '/', '/tariffs', '/health/', '/health?x=1', '/nope/../health/live']) {
      for (const headers of [{}, withToken]) {
        const res = await get(port, path, headers);
        expect(res.status, path).toBe(503);
        if (path.startsWith('/health?')) continue;
        expect(res.json(), path).toEqual({ status: 'fail' });
      }
    }
    const post = await fetch(`http://127.0.0.1:${port}/health`, { method: 'POST', headers: withToken });
    expect(post.status).toBe(503);
    expect(await post.json()).toEqual({ status: 'fail' });
    const head = await fetch(`http://127.0.0.1:${port}/health`, { method: 'HEAD' });
    expect(head.status).toBe(503);
  });

  it('instanceId from IMDS when INSTANCE_METADATA=imds (a fake IMDSv2 on loopback)', async () => {
    const imds = await startFakeImds({ privateIp: '127.0.0.1', instanceId: 'i-0fromimds000000' });
    cleanups.push(imds.close);
    const { port } = await start({
      ...BASE_ENV,
      INSTANCE_METADATA: 'imds',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
    });
    expect((await get(port, '/health', withToken)).json()).toMatchObject({ instanceId: 'i-0fromimds000000' });
    expect(imds.seen).toContain('PUT /latest/api/token');
  });

  it('IMDS down → falls back to INSTANCE_ID and says so; still a failing report', async () => {
    const imds = await startFakeImds({ privateIp: '127.0.0.1', instanceId: 'i-x' }, { hang: true });
    cleanups.push(imds.close);
    const { port, lines } = await start({
      ...BASE_ENV,
      INSTANCE_METADATA: 'imds',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
      IMDS_TIMEOUT_MS: '100',
    });
    expect(lines.join('\n')).toContain('instance metadata unavailable');
    const res = await get(port, '/health', withToken);
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({ instanceId: 'i-0123456789abcdef0' });
  });

  it('an invalid value (not a missing key) → configuration:valid fails non-transiently, naming the key, no value', async () => {
    const env = {
      ...BASE_ENV,
      SECRET_KEY: 'the-secret-value',
      DB_TIMEOUT_MS: 'soon',
      HEALTH_CIDRS: 'nonsense',
    };
    const { port, lines } = await start(env);
    const res = await get(port, '/health', withToken);
    const body = res.json() as unknown as HealthBody;
    expect(body.checks?.['configuration:keys']?.[0]?.status).toBe('pass');
    expect(body.checks?.[CONFIG_VALID_CHECK]?.[0]).toMatchObject({ status: 'fail', transient: false });
    expect(body.checks?.[CONFIG_VALID_CHECK]?.[0]?.output).toMatch(/DB_TIMEOUT_MS/);
    expect(res.body).not.toContain('the-secret-value');
    expect(res.body).not.toContain('soon');
    // The invalid CIDRs are left out (token only), and the log says so.
    expect(lines.join('\n')).toContain('ignores invalid HEALTH_CIDRS');
  });

  it('SIGTERM closes the report and exits 1 promptly', async () => {
    const proc = fakeProcess();
    const { port } = await start(BASE_ENV, { signals: proc });
    proc.signals.emit('SIGTERM');
    expect(await proc.exited).toBe(1);
    await expect(get(port, '/health')).rejects.toThrow();
  });

  it('an invalid HOST or PORT → no report (throws ConfigError naming it): it must not answer elsewhere', async () => {
    const env = { ...BASE_ENV, PORT: '99999' };
    await expect(
      startBootFailureReporter(configErrorOf(env), env, { print: () => {} }),
    ).rejects.toMatchObject({
      name: 'ConfigError',
      keys: ['PORT'],
    });
  });

  it('a port already taken → the listen error (EADDRINUSE): the caller exits as without the report', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const env = { ...BASE_ENV, PORT: String((taken.address() as AddressInfo).port) };
    await expect(
      startBootFailureReporter(configErrorOf(env), env, { print: () => {} }),
    ).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});

describe('boot-failure report: pure parts', () => {
  it('the opt-in is exactly BOOT_FAILURE_REPORT=serve; anything else exits', () => {
    expect(bootFailureReportOf({ BOOT_FAILURE_REPORT: 'serve' })).toBe('serve');
    expect(bootFailureReportOf({ BOOT_FAILURE_REPORT: ' serve ' })).toBe('serve');
    for (const value of [undefined, '', 'exit', 'SERVE', 'yes', '1']) {
      expect(bootFailureReportOf({ BOOT_FAILURE_REPORT: value }), String(value)).toBe('exit');
    }
  });

  it('loadConfig rejects a misspelt BOOT_FAILURE_REPORT, so a good configuration catches the typo at boot', () => {
    expect(configErrorOf({ SECRET_KEY: 'k', BOOT_FAILURE_REPORT: 'server' }).keys).toEqual([
      'BOOT_FAILURE_REPORT',
    ]);
    expect(() => loadConfig({ SECRET_KEY: 'k', BOOT_FAILURE_REPORT: 'serve' })).not.toThrow();
  });

  it('settings: defaults as the app (production binds every interface on 8080), secrets collected', () => {
    const settings = readBootFailureSettings({ NODE_ENV: 'production', HEALTH_TOKEN: 't', SECRET_KEY: 's' });
    expect(settings).toMatchObject({ host: '0.0.0.0', port: 8080, ignored: [], imds: undefined });
    expect(settings.secrets).toEqual(expect.arrayContaining(['t', 's']));
    expect(readBootFailureSettings({}).host).toBe('127.0.0.1');
  });

  it('checks: only configuration:keys for missing keys; configuration:valid added otherwise; all non-transient', async () => {
    const missing = bootFailureChecks(
      new ConfigError('missing required configuration: SECRET_KEY', ['SECRET_KEY']),
      {},
    );
    expect(missing.map((c) => c.name)).toEqual(['configuration:keys']);
    const ssm = bootFailureChecks(
      new ConfigError('cannot load configuration from SSM path /x: AccessDeniedException', [
        'HEALTHGATE_SSM_CONFIG_PATH',
      ]),
      {},
    );
    expect(ssm.map((c) => c.name)).toEqual(['configuration:keys', CONFIG_VALID_CHECK]);
    expect(ssm.every((c) => c.transient === false)).toBe(true);
    const outcome = await ssm[1]!.run(new AbortController().signal);
    expect(outcome).toMatchObject({
      status: 'fail',
      output: expect.stringContaining('AccessDeniedException'),
    });
  });
});

describe('serve CLI with BOOT_FAILURE_REPORT=serve', () => {
  it('missing SECRET_KEY → logs the key, answers only a failing /health, exits 1 on SIGTERM', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const proc = run('app/cli/serve.ts', [], { ...BASE_ENV, BOOT_FAILURE_REPORT: 'serve' }, dir);
      const url = await waitFor(
        () => /(http:\/\/127\.0\.0\.1:\d+)\/health answers 503/.exec(proc.err())?.[1],
        `the report line (stderr: ${proc.err()})`,
      );
      expect(proc.err()).toContain('ConfigError: missing required configuration: SECRET_KEY');
      expect(proc.out()).not.toContain('listening');
      const port = Number(new URL(url).port);
      const health = await get(port, '/health', withToken);
      expect(health.status).toBe(503);
      expect(health.json()).toMatchObject({
        status: 'fail',
        instanceId: 'i-0123456789abcdef0',
        checks: { 'configuration:keys': [expect.objectContaining({ transient: false })] },
      });
      expect((await get(port, '/health/live')).status).toBe(503);
      expect((await get(port, '/')).status).toBe(503);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(1);
    } finally {
      await cleanup();
    }
  });

  it('opt-in but PORT invalid → cannot report → exits != 0 naming the keys', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const proc = run(
        'app/cli/serve.ts',
        [],
        { ...BASE_ENV, PORT: 'eighty', BOOT_FAILURE_REPORT: 'serve' },
        dir,
      );
      expect(await proc.exited).not.toBe(0);
      expect(proc.err()).toContain('PORT');
      expect(proc.err()).toContain('cannot report the boot failure');
    } finally {
      await cleanup();
    }
  });
});
