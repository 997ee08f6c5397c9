import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CheckOutcome,
  createHealthRunner,
  type HealthAuth,
  type HealthBody,
  type HealthCheck,
  HealthConfigError,
  type HealthRunner,
  pageRendersCheck,
} from '../../../shared/health';
import { fastifyInject, type HealthPluginOptions, healthPlugin } from '../../../shared/health/fastify';

const servers: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((app) => app.close()));
});

async function serve(options: HealthPluginOptions): Promise<string> {
  const app = Fastify();
  servers.push(app);
  await app.register(healthPlugin, options);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

function counted(name: string, outcome: CheckOutcome, extra: Partial<HealthCheck> = {}) {
  const check = {
    calls: 0,
    name,
    componentType: 'component',
    transient: true,
    timeoutMs: 1000,
    async run() {
      check.calls += 1;
      return outcome;
    },
    ...extra,
  };
  return check;
}

const TOKEN = 'probe-token-1';

async function bodyOf(res: Response): Promise<HealthBody> {
  return (await res.json()) as HealthBody;
}

describe('healthPlugin (fastify) over HTTP', () => {
  it('hides details without a token and shows them with one; headers on both', async () => {
    const runner = createHealthRunner({
      checks: [counted('database:responseTime', { status: 'pass', observedValue: 2, observedUnit: 'ms' })],
      identity: { version: '2.0.0', instanceId: 'i-0abc' },
    });
    const base = await serve({ runner, auth: { token: TOKEN } });

    const anonymous = await fetch(`${base}/health`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('content-type')).toBe('application/health+json');
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
    expect(await anonymous.json()).toEqual({ status: 'pass' });

    const wrong = await fetch(`${base}/health`, { headers: { 'x-health-token': 'nope' } });
    expect(await wrong.json()).toEqual({ status: 'pass' });

    const authorised = await fetch(`${base}/health`, { headers: { 'x-health-token': TOKEN } });
    expect(authorised.status).toBe(200);
    expect(authorised.headers.get('content-type')).toBe('application/health+json');
    expect(authorised.headers.get('cache-control')).toBe('no-store');
    const body = await authorised.json();
    expect(body).toMatchObject({
      status: 'pass',
      version: '2.0.0',
      instanceId: 'i-0abc',
      checks: { 'database:responseTime': [{ status: 'pass', componentType: 'component', observedValue: 2 }] },
    });
  });

  it('shows details to an allowed CIDR (loopback) but not to another, and ignores X-Forwarded-For', async () => {
    const runner = createHealthRunner({
      checks: [counted('a:x', { status: 'pass' })],
      identity: { version: '1' },
    });
    const allowed = await serve({ runner, auth: { cidrs: ['127.0.0.0/8'] } });
    expect(await (await fetch(`${allowed}/health`)).json()).toMatchObject({ version: '1', checks: {} });

    const other = await serve({ runner, auth: { cidrs: ['10.0.0.0/8'] } });
    const spoofed = await fetch(`${other}/health`, { headers: { 'x-forwarded-for': '10.0.0.1' } });
    expect(await spoofed.json()).toEqual({ status: 'pass' });
  });

  it('answers 503 on fail with transient:false on the entry', async () => {
    const runner = createHealthRunner({
      checks: [
        counted('migrations:pending', {
          status: 'fail',
          transient: false,
          output: 'pending migrations: 0002',
        }),
      ],
    });
    const base = await serve({ runner, auth: { token: TOKEN } });
    const res = await fetch(`${base}/health`, { headers: { 'x-health-token': TOKEN } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/health+json');
    const body = await bodyOf(res);
    expect(body.status).toBe('fail');
    expect(body.checks?.['migrations:pending']?.[0]).toMatchObject({ status: 'fail', transient: false });
    const anonymous = await fetch(`${base}/health`);
    expect(anonymous.status).toBe(503);
    expect(await anonymous.json()).toEqual({ status: 'fail' });
  });

  it('answers a hung check within its bound, with the timeout in the output', async () => {
    const hung = counted('database:responseTime', { status: 'pass' }, { timeoutMs: 30 });
    hung.run = () => new Promise<CheckOutcome>(() => {});
    const base = await serve({ runner: createHealthRunner({ checks: [hung] }), auth: { token: TOKEN } });
    const res = await fetch(`${base}/health`, {
      headers: { 'x-health-token': TOKEN },
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(503);
    expect((await bodyOf(res)).checks?.['database:responseTime']?.[0]?.output).toBe('timed out after 30 ms');
  });

  it('while draining answers 503 "shutting down" without running any check; liveness stays 200', async () => {
    const check = counted('a:x', { status: 'pass' });
    const runner = createHealthRunner({ checks: [check] });
    let draining = false;
    const base = await serve({ runner, auth: { token: TOKEN }, draining: () => draining });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    draining = true;
    const res = await fetch(`${base}/health`, { headers: { 'x-health-token': TOKEN } });
    expect(res.status).toBe(503);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'fail', output: 'shutting down' });
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'fail' });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect(check.calls).toBe(1);
    expect(runner.runs).toBe(1);
  });

  it('/health/live answers pass and never touches a check', async () => {
    const check = counted('a:x', { status: 'fail', output: 'down' });
    const runner = createHealthRunner({ checks: [check] });
    const base = await serve({ runner, livePath: '/live', path: '/ready' });
    for (let i = 0; i < 5; i += 1) {
      const res = await fetch(`${base}/live`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/health+json');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({ status: 'pass' });
    }
    expect(check.calls).toBe(0);
    expect(runner.runs).toBe(0);
    expect((await fetch(`${base}/ready`)).status).toBe(503);
  });

  it('single-flight: 200 concurrent requests during a slow check run it once', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    const slow = counted('slow:x', { status: 'pass' });
    slow.run = async () => {
      slow.calls += 1;
      await released;
      return { status: 'pass' };
    };
    const inner = createHealthRunner({ checks: [slow], cacheTtlMs: 0 });
    let waiting = 0;
    // Counts callers so the check is released only once all 200 have joined the run in flight.
    const runner: HealthRunner = {
      get runs() {
        return inner.runs;
      },
      report() {
        waiting += 1;
        return inner.report();
      },
    };
    const base = await serve({ runner });
    const responses = Array.from({ length: 200 }, () => fetch(`${base}/health`));
    await expect.poll(() => waiting, { timeout: 15_000 }).toBe(200);
    release();
    const all = await Promise.all(responses);
    expect(all.every((res) => res.status === 200)).toBe(true);
    expect(inner.runs).toBe(1);
    expect(slow.calls).toBe(1);
  });

  it('a report that rejects answers 503 and the next request runs again', async () => {
    let broken = true;
    const runner = createHealthRunner({
      checks: [],
      identity: () => {
        if (broken) {
          throw new Error('imds down');
        }
        return { instanceId: 'i-1' };
      },
    });
    const app = Fastify({ logger: false });
    servers.push(app);
    await app.register(healthPlugin, { runner, auth: { token: TOKEN } });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${base}/health`, { headers: { 'x-health-token': TOKEN } });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'fail', output: 'health report unavailable' });
    broken = false;
    const next = await fetch(`${base}/health`, { headers: { 'x-health-token': TOKEN } });
    expect(next.status).toBe(200);
    expect((await bodyOf(next)).instanceId).toBe('i-1');
  });

  it('registers its routes on the root instance (skip-override) and rejects a bad CIDR at registration', async () => {
    const app = Fastify();
    servers.push(app);
    await app.register(healthPlugin, { runner: createHealthRunner({ checks: [] }) });
    await app.ready();
    expect(app.hasRoute({ method: 'GET', url: '/health' })).toBe(true);
    expect(app.hasRoute({ method: 'GET', url: '/health/live' })).toBe(true);

    const bad = Fastify();
    servers.push(bad);
    const auth: HealthAuth = { cidrs: ['10.0.0.0/99'] };
    await expect(
      bad.register(healthPlugin, { runner: createHealthRunner({ checks: [] }), auth }),
    ).rejects.toThrow(HealthConfigError);
  });

  it('is a fastify-plugin plugin: named, for fastify 5, and not encapsulated (skip-override)', () => {
    const meta = healthPlugin as unknown as Record<symbol, unknown>;
    expect(meta[Symbol.for('skip-override')]).toBe(true);
    expect(meta[Symbol.for('fastify.display-name')]).toBe('@healthgate/health');
    expect(meta[Symbol.for('plugin-meta')]).toMatchObject({ fastify: '5.x', name: '@healthgate/health' });
  });

  it("the registering instance's hooks apply to its routes, also inside a prefixed child; HEAD answers", async () => {
    const app = Fastify();
    servers.push(app);
    const seen: string[] = [];
    app.addHook('onRequest', async (request) => {
      seen.push(`root ${request.method} ${request.url}`);
    });
    await app.register(healthPlugin, { runner: createHealthRunner({ checks: [] }) });
    await app.register(
      async (child) => {
        child.addHook('onRequest', async (request) => {
          seen.push(`child ${request.url}`);
        });
        await child.register(healthPlugin, { runner: createHealthRunner({ checks: [] }), livePath: false });
      },
      { prefix: '/ops' },
    );
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ops/health`)).status).toBe(200);
    expect((await fetch(`${base}/ops/health/live`)).status).toBe(404);
    const head = await fetch(`${base}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/health+json');
    expect(await head.text()).toBe('');
    expect(seen).toEqual([
      'root GET /health',
      'root GET /ops/health',
      'child /ops/health',
      'root GET /ops/health/live',
      'root HEAD /health',
    ]);
  });

  it('fastifyInject renders a page through the app (its hooks included) for pageRendersCheck', async () => {
    const app = Fastify();
    servers.push(app);
    app.addHook('onRequest', async (request, reply) => {
      if (request.headers.host !== 'www.example.test') {
        return reply.code(400).send('unknown host');
      }
    });
    app.get('/', async () => '<h1>Tariffs</h1>');
    const runner = createHealthRunner({
      checks: [
        pageRendersCheck({
          inject: fastifyInject(app),
          headers: { host: 'www.example.test' },
          expectText: '<h1>Tariffs</h1>',
        }),
        pageRendersCheck({ inject: fastifyInject(app), name: 'wrong-host:status' }),
      ],
    });
    await app.register(healthPlugin, { runner, auth: { token: TOKEN } });
    await app.ready();
    const report = await runner.report();
    expect(report.body.checks?.['homepage:status']?.[0]).toMatchObject({
      status: 'pass',
      observedValue: 200,
    });
    expect(report.body.checks?.['wrong-host:status']?.[0]).toMatchObject({
      status: 'fail',
      output: 'GET / answered 400, expected 200',
    });
  });
});
