import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_SECRET_KEY } from '../../../app/config';
import { discoverIdentity } from '../../../app/instance-identity';
import { startFakeImds } from './fake-imds';
import { APP_HOST, fileLoggers, get, startApp, tempDir, testConfig, viaLb, withToken } from './helpers';
import { deepHealthScenarios, migrateDb } from './scenarios';

describe('deep health on SQLite', () => {
  let n = 0;
  deepHealthScenarios(async () => {
    const { dir } = await tempDir();
    n += 1;
    return { SQLITE_PATH: path.join(dir, `fresh-${n}.sqlite`) };
  });
});

describe('app over HTTP (SQLite)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function boot(env: Record<string, string> = {}, deps: Parameters<typeof startApp>[1] = {}) {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const config = testConfig(dir, env);
    await migrateDb(config);
    const logs = fileLoggers(dir);
    const app = await startApp(config, { loggers: logs.loggers, ...deps });
    cleanups.push(app.close);
    return { app, config, logs, dir };
  }

  it('answers 400 to an unknown Host, 200 to an allowed one', async () => {
    const { app } = await boot();
    expect((await get(app.port, '/', { host: 'evil.example', ...viaLb })).status).toBe(400);
    expect((await get(app.port, '/health', { host: 'evil.example' })).status).toBe(400);
    expect((await get(app.port, '/', { host: `${APP_HOST}:443`, ...viaLb })).status).toBe(200);
  });

  it('admits the private IP discovered from (fake) IMDS, and reports its instance id', async () => {
    const imds = await startFakeImds({ privateIp: '10.20.30.40', instanceId: 'i-0fromimds' });
    cleanups.push(imds.close);
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const config = testConfig(dir, {
      ALLOWED_HOSTS: 'www.example.test',
      INSTANCE_METADATA: 'imds',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
    });
    await migrateDb(config);
    const identity = await discoverIdentity(config);
    const app = await startApp(config, { identity, loggers: fileLoggers(dir).loggers });
    cleanups.push(app.close);
    const res = await get(app.port, '/health', { host: '10.20.30.40:8080', ...withToken });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ status: 'pass', instanceId: 'i-0fromimds' });
    expect((await get(app.port, '/health', { host: '10.20.30.41' })).status).toBe(400);
  });

  it('redirects / over plain HTTP to https, never /health', async () => {
    const { app } = await boot();
    const res = await get(app.port, '/tariffs?x=1');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`https://${APP_HOST}/tariffs?x=1`);
    expect((await get(app.port, '/')).headers.location).toBe(`https://${APP_HOST}/`);
    expect((await get(app.port, '/health', withToken)).status).toBe(200);
    expect((await get(app.port, '/health/live')).status).toBe(200);
  });

  it('serves plain HTTP when the redirect is configured off', async () => {
    const { app } = await boot({ HTTPS_REDIRECT: '0' });
    expect((await get(app.port, '/')).status).toBe(200);
  });

  it('writes health lines to the health log only, other requests to the main log', async () => {
    const { app, logs } = await boot();
    await get(app.port, '/', viaLb);
    await get(app.port, '/health', withToken);
    await get(app.port, '/health/live');
    await app.close();
    const main = await logs.read('main');
    const health = await logs.read('health');
    const urls = (lines: Record<string, unknown>[]) =>
      lines.filter((l) => l.msg === 'request completed').map((l) => l.url);
    expect(urls(main)).toEqual(['/']);
    // The deep health's own in-process render of / belongs to the health log too.
    expect(urls(health)).toEqual(expect.arrayContaining(['/health', '/health/live', '/']));
    expect(main.some((l) => String(l.url ?? '').startsWith('/health'))).toBe(false);
    // Every access line names its request, in either log (health routes are answered ahead of fastify).
    for (const line of [...main, ...health].filter((l) => l.msg === 'request completed')) {
      expect(line.reqId, JSON.stringify(line)).toMatch(/^(req|health)-\d+$/);
    }
    expect(JSON.stringify(main) + JSON.stringify(health)).not.toContain('test-health-token');
  });

  it('hands the health body no secret', async () => {
    const { app } = await boot({ FAULT_BROKEN_HOME: '1' });
    const body = (await get(app.port, '/health', withToken)).body;
    expect(body).not.toContain('test-secret-key-value');
    expect(body).not.toContain(LOCAL_SECRET_KEY);
  });

  it('shows the details to a source in HEALTH_CIDRS, judged by the socket peer, not X-Forwarded-For', async () => {
    const loopback = await boot({ INSTANCE_ID: 'i-0cidr', HEALTH_CIDRS: '127.0.0.0/8' });
    const inside = (await get(loopback.app.port, '/health')).json();
    expect(inside).toMatchObject({ status: 'pass', instanceId: 'i-0cidr' });
    expect(inside.checks).toBeDefined();

    const elsewhere = await boot({ INSTANCE_ID: 'i-0cidr', HEALTH_CIDRS: '10.0.0.0/8' });
    const spoofed = await get(elsewhere.app.port, '/health', { 'x-forwarded-for': '10.0.0.5' });
    expect(spoofed.json()).toEqual({ status: 'pass' });
  });

  it('reads the token from the header HEALTH_TOKEN_HEADER names, and only from it', async () => {
    const { app } = await boot({ INSTANCE_ID: 'i-0hdr', HEALTH_TOKEN_HEADER: 'X-Probe-Token' });
    const right = await get(app.port, '/health', { 'x-probe-token': 'test-health-token' });
    expect(right.json()).toMatchObject({ status: 'pass', instanceId: 'i-0hdr' });
    expect((await get(app.port, '/health', withToken)).json()).toEqual({ status: 'pass' });
  });

  it('admits the hosts written by user-data to ALLOWED_HOSTS_FILE', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const file = path.join(dir, 'allowed-hosts');
    await writeFile(file, '# user-data\n10.0.3.17\n');
    const config = testConfig(dir, { ALLOWED_HOSTS: '', ALLOWED_HOSTS_FILE: file });
    await migrateDb(config);
    const identity = await discoverIdentity(config);
    const app = await startApp(config, { identity, loggers: fileLoggers(dir).loggers });
    cleanups.push(app.close);
    expect((await get(app.port, '/health', { host: '10.0.3.17:80', ...withToken })).status).toBe(200);
    expect((await get(app.port, '/', { host: '10.0.3.17', ...viaLb })).status).toBe(200);
    expect((await get(app.port, '/health', { host: APP_HOST })).status).toBe(400);
  });
});
