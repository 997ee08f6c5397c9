/** The framework-free core every adapter uses: routing, views, draining, serialisation once per report. */
import { describe, expect, it } from 'vitest';
import {
  createHealthHandler,
  createHealthRunner,
  type HealthCheck,
  HealthConfigError,
  type HealthRequest,
  type HealthResponse,
  HealthRoute,
  type HealthRunner,
  healthResponse,
  InvalidCidrError,
} from '../../../shared/health';

const TOKEN = 'core-token';

function check(outcome: Awaited<ReturnType<HealthCheck['run']>>): HealthCheck & { calls: number } {
  const c = {
    calls: 0,
    name: 'database:responseTime',
    componentType: 'datastore',
    transient: true,
    timeoutMs: 1000,
    async run() {
      c.calls += 1;
      return outcome;
    },
  };
  return c;
}

const request = (overrides: Partial<HealthRequest> = {}): HealthRequest => ({
  method: 'GET',
  path: '/health',
  headers: {},
  remoteAddress: '203.0.113.9',
  ...overrides,
});

const json = (response: HealthResponse) =>
  JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;

describe('createHealthHandler', () => {
  it('serves the full body to the token, { status } to others, with the health+json headers and length', async () => {
    const runner = createHealthRunner({
      checks: [check({ status: 'pass', observedValue: 2, observedUnit: 'ms' })],
      identity: { version: '1.0.0', instanceId: 'i-1' },
    });
    const health = createHealthHandler({ runner, auth: { token: TOKEN } });
    const full = await health(request({ headers: { 'x-health-token': TOKEN } }));
    expect(full?.status).toBe(200);
    expect(full?.headers).toEqual({
      'content-type': 'application/health+json',
      'cache-control': 'no-store',
      'content-length': String(full?.body.length),
    });
    expect(json(full!)).toMatchObject({ status: 'pass', version: '1.0.0', instanceId: 'i-1' });
    const anonymous = await health(request());
    expect(json(anonymous!)).toEqual({ status: 'pass' });
    expect(anonymous?.headers['content-length']).toBe(String(anonymous?.body.length));
  });

  it('answers GET and HEAD on its two paths, ignoring the query; anything else is not its request', async () => {
    const health = createHealthHandler({ runner: createHealthRunner({ checks: [] }) });
    expect(await health(request({ path: '/health?probe=lb' }))).toMatchObject({ status: 200 });
    expect(await health(request({ method: 'HEAD' }))).toMatchObject({ status: 200 });
    expect(health(request({ path: '/health/live?x' }))).toMatchObject({ status: 200 });
    for (const path of ['/', '/health/', '/healthz', '/health/live/', '/HEALTH']) {
      expect(health(request({ path })), path).toBeUndefined();
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'get']) {
      expect(health(request({ method })), method).toBeUndefined();
      expect(health.routeOf({ method, path: '/health' }), method).toBeUndefined();
    }
    expect(health.routeOf({ method: 'HEAD', path: '/health?x' })).toBe(HealthRoute.deep);
    expect(health.routeOf({ method: 'GET', path: '/health/live' })).toBe(HealthRoute.live);
    expect(health.routeOf({ method: 'GET', path: '/' })).toBeUndefined();
  });

  it('liveness answers synchronously, touches no check, and stays 200 while draining', () => {
    const c = check({ status: 'fail', output: 'down' });
    const runner = createHealthRunner({ checks: [c] });
    const health = createHealthHandler({ runner, draining: () => true });
    const live = health(request({ path: '/health/live' }));
    expect(live).not.toBeInstanceOf(Promise);
    expect(live).toMatchObject({ status: 200 });
    expect(json(live as HealthResponse)).toEqual({ status: 'pass' });
    expect(health.live()).toBe(live);
    expect(runner.runs).toBe(0);
    expect(c.calls).toBe(0);
  });

  it('while draining: 503 "shutting down" (reason to authorised callers only) without running a check', async () => {
    const runner = createHealthRunner({ checks: [check({ status: 'pass' })] });
    const health = createHealthHandler({ runner, auth: { token: TOKEN }, draining: () => true });
    const full = await health(request({ headers: { 'x-health-token': TOKEN } }));
    expect(full?.status).toBe(503);
    expect(json(full!)).toEqual({ status: 'fail', output: 'shutting down' });
    expect(json((await health(request()))!)).toEqual({ status: 'fail' });
    expect(runner.runs).toBe(0);
  });

  it('serialises a cached report once: every request within the TTL gets the same bytes', async () => {
    const runner = createHealthRunner({
      checks: [check({ status: 'warn', output: 'slow' })],
      cacheTtlMs: 60_000,
    });
    const health = createHealthHandler({ runner, auth: { token: TOKEN } });
    const authorised = request({ headers: { 'x-health-token': TOKEN } });
    const first = await health(authorised);
    const second = await health(authorised);
    expect(second).toBe(first);
    expect(second?.body).toBe(first?.body);
    expect(first?.status).toBe(200);
    expect(await health(request())).toBe(await health(request()));
    expect(runner.runs).toBe(1);
  });

  it('a fresh cached report is answered synchronously; the first request and a runner without cached() wait', async () => {
    const runner = createHealthRunner({ checks: [check({ status: 'pass' })], cacheTtlMs: 60_000 });
    const health = createHealthHandler({ runner });
    const first = health(request());
    expect(first).toBeInstanceOf(Promise);
    const answered = await first;
    const second = health(request());
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toBe(answered);
    const plain: HealthRunner = { runs: 0, report: () => runner.report() };
    expect(createHealthHandler({ runner: plain })(request())).toBeInstanceOf(Promise);
  });

  it('a new report is served as soon as the runner has one', async () => {
    let status: 'pass' | 'fail' = 'pass';
    const runner = createHealthRunner({
      checks: [{ ...check({ status: 'pass' }), run: async () => ({ status, output: status }) }],
      cacheTtlMs: 0,
    });
    const health = createHealthHandler({ runner });
    expect((await health(request()))?.status).toBe(200);
    status = 'fail';
    const failing = await health(request());
    expect(failing?.status).toBe(503);
    expect(json(failing!)).toEqual({ status: 'fail' });
  });

  it('a runner that rejects (or throws) answers 503 without detail and hands the error to the adapter', async () => {
    const boom = new Error('imds down');
    const rejecting: HealthRunner = { runs: 0, report: () => Promise.reject(boom) };
    const throwing: HealthRunner = {
      runs: 0,
      report: () => {
        throw boom;
      },
    };
    for (const runner of [rejecting, throwing]) {
      const health = createHealthHandler({ runner, auth: { token: TOKEN } });
      const full = await health(request({ headers: { 'x-health-token': TOKEN } }));
      expect(full?.status).toBe(503);
      expect(json(full!)).toEqual({ status: 'fail', output: 'health report unavailable' });
      expect(full?.error).toBe(boom);
      expect(json((await health(request()))!)).toEqual({ status: 'fail' });
    }
  });

  it('authorises by the peer address in the CIDRs, never by a forwarded header', async () => {
    const health = createHealthHandler({
      runner: createHealthRunner({ checks: [], identity: { version: '9' } }),
      auth: { cidrs: ['10.0.0.0/8'] },
    });
    expect(json((await health(request({ remoteAddress: '10.1.2.3' })))!)).toMatchObject({ version: '9' });
    expect(json((await health(request({ remoteAddress: '::ffff:10.1.2.3' })))!)).toMatchObject({
      version: '9',
    });
    const spoofed = request({ headers: { 'x-forwarded-for': '10.1.2.3' }, remoteAddress: '192.0.2.1' });
    expect(json((await health(spoofed))!)).toEqual({ status: 'pass' });
    expect(json((await health(request({ remoteAddress: undefined })))!)).toEqual({ status: 'pass' });
  });

  it('custom paths; liveness can be turned off', async () => {
    const runner = createHealthRunner({ checks: [] });
    const custom = createHealthHandler({ runner, path: '/ready', livePath: '/alive' });
    expect([custom.path, custom.livePath]).toEqual(['/ready', '/alive']);
    expect(await custom(request({ path: '/ready' }))).toMatchObject({ status: 200 });
    expect(custom(request({ path: '/alive' }))).toMatchObject({ status: 200 });
    expect(custom(request({ path: '/health' }))).toBeUndefined();
    const none = createHealthHandler({ runner, livePath: false });
    expect(none.livePath).toBeUndefined();
    expect(none(request({ path: '/health/live' }))).toBeUndefined();
  });

  it('refuses a bad setup at once: invalid CIDR, bad paths, one path for both routes, no runner', () => {
    const runner = createHealthRunner({ checks: [] });
    expect(() => createHealthHandler({ runner, auth: { cidrs: ['10.0.0.1/8'] } })).toThrow(InvalidCidrError);
    expect(() => createHealthHandler({ runner, path: 'health' })).toThrow(HealthConfigError);
    expect(() => createHealthHandler({ runner, livePath: '/live?x=1' })).toThrow(HealthConfigError);
    expect(() => createHealthHandler({ runner, path: '/h', livePath: '/h' })).toThrow(/two routes/);
    expect(() => createHealthHandler({ runner: {} as HealthRunner })).toThrow(HealthConfigError);
  });
});

describe('healthResponse', () => {
  it('serialises a body of one own with the health headers', () => {
    const response = healthResponse(503, { status: 'fail' });
    expect(response.status).toBe(503);
    expect(response.body.toString()).toBe('{"status":"fail"}');
    expect(response.headers).toEqual({
      'content-type': 'application/health+json',
      'cache-control': 'no-store',
      'content-length': '17',
    });
    expect(Object.isFrozen(response) && Object.isFrozen(response.headers)).toBe(true);
  });
});
