import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProbeObservation } from '../../../shared/gate/observation';
import { probe } from '../../../shared/probe';

const HEALTH = 'application/health+json';
const LOOPBACK = ['127.0.0.0/8'];
let server: Server;
let port: number;
const seen: IncomingMessage[] = [];

function json(res: ServerResponse, status: number, body: unknown, type = HEALTH): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/pass': (_req, res) =>
    json(res, 200, {
      status: 'pass',
      instanceId: 'i-0abc',
      checks: { 'database:responseTime': [{ status: 'pass', componentType: 'datastore', time: 't' }] },
    }),
  '/warn': (_req, res) =>
    json(res, 200, {
      status: 'warn',
      instanceId: 'i-0abc',
      checks: { 'disk:utilization': [{ status: 'warn', componentType: 'system', time: 't' }] },
    }),
  '/fail-permanent': (_req, res) =>
    json(res, 503, {
      status: 'fail',
      instanceId: 'i-0abc',
      checks: {
        'config:required': [
          {
            status: 'fail',
            componentType: 'component',
            output: 'missing SECRET_KEY',
            transient: false,
            time: 't',
          },
        ],
        'database:responseTime': [
          { status: 'fail', componentType: 'datastore', output: 'timeout', time: 't' },
        ],
        'migrations:pending': [{ status: 'fail', componentType: 'datastore', transient: 'false', time: 't' }],
        'pages:render': [{ status: 'pass', componentType: 'component', time: 't' }],
      },
    }),
  '/fail-200': (_req, res) => json(res, 200, { status: 'fail', instanceId: 'i-0abc' }),
  '/pass-503': (_req, res) => json(res, 503, { status: 'pass', instanceId: 'i-0abc' }),
  '/malformed': (_req, res) => json(res, 200, '{"status": "pass",'),
  '/no-status': (_req, res) => json(res, 200, { instanceId: 'i-0abc' }),
  '/bad-status': (_req, res) => json(res, 200, { status: 'ok' }),
  '/bad-check': (_req, res) => json(res, 200, { status: 'pass', checks: { x: [{ status: 'great' }] } }),
  '/html': (_req, res) => json(res, 200, '<html>hello</html>', 'text/html'),
  '/plain-json': (_req, res) => json(res, 200, { status: 'pass' }, 'application/json; charset=utf-8'),
  '/huge': (_req, res) => {
    res.writeHead(200, { 'content-type': HEALTH });
    res.end(JSON.stringify({ status: 'pass', padding: 'x'.repeat(200 * 1024) }));
  },
  '/hang': () => {
    // Never answers: the probe's timeout must end it.
  },
  '/redirect-https': (_req, res) => {
    res.writeHead(301, { location: 'https://example.invalid/health' });
    res.end();
  },
  '/redirect-local': (_req, res) => {
    res.writeHead(302, { location: '/pass' });
    res.end();
  },
  '/not-found': (_req, res) => json(res, 404, { status: 'fail' }),
  '/other-instance': (_req, res) =>
    json(res, 503, {
      status: 'fail',
      instanceId: 'i-other',
      checks: { 'config:required': [{ status: 'fail', transient: false, time: 't' }] },
    }),
  '/anonymous': (_req, res) => json(res, 200, { status: 'pass' }),
};

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    const route = routes[(req.url ?? '').split('?')[0] ?? ''];
    if (route) {
      route(req, res);
    } else {
      json(res, 404, { status: 'fail' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const run = (path: string, extra: Partial<Parameters<typeof probe>[0]> = {}) =>
  probe({ address: '127.0.0.1', port, path, timeoutMs: 2000, allowedCidrs: LOOPBACK, ...extra });

describe('probe over real HTTP', () => {
  it('pass: 200 + status pass, with instance id, no failing checks, and the headers sent', async () => {
    const result = await run('/pass', {
      expectedInstanceId: 'i-0abc',
      headers: { 'x-health-token': 's3cret' },
    });
    expect(result).toMatchObject({
      outcome: 'pass',
      httpStatus: 200,
      instanceId: 'i-0abc',
      failingChecks: [],
    });
    expect(result.error).toBeUndefined();
    expect(result.body?.status).toBe('pass');
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger(result.at)).toBe(true);
    const req = seen.at(-1);
    expect(req?.headers['x-health-token']).toBe('s3cret');
    expect(req?.headers.accept).toContain('application/health+json');
    // The gate's decision engine takes a probe result as it is (checked by tsc).
    const observation: ProbeObservation = result;
    expect(observation.outcome).toBe('pass');
  });

  it('warn: 200 + status warn', async () => {
    await expect(run('/warn')).resolves.toMatchObject({
      outcome: 'warn',
      httpStatus: 200,
      failingChecks: [],
    });
  });

  it('fail: 503 + status fail, collecting failing checks; transient false only when explicit', async () => {
    const result = await run('/fail-permanent', { expectedInstanceId: 'i-0abc' });
    expect(result.outcome).toBe('fail');
    expect(result.httpStatus).toBe(503);
    expect(result.failingChecks).toEqual([
      { name: 'config:required', transient: false, componentType: 'component', output: 'missing SECRET_KEY' },
      { name: 'database:responseTime', transient: true, componentType: 'datastore', output: 'timeout' },
      { name: 'migrations:pending', transient: true, componentType: 'datastore' },
    ]);
  });

  it('200 with status fail is contradictory: fail', async () => {
    await expect(run('/fail-200')).resolves.toMatchObject({ outcome: 'fail', httpStatus: 200 });
  });

  it('503 with status pass: fail, with a reason', async () => {
    await expect(run('/pass-503')).resolves.toMatchObject({
      outcome: 'fail',
      httpStatus: 503,
      error: 'HTTP 503 with status pass',
    });
  });

  it.each([
    ['/malformed', /^malformed health body: /],
    ['/no-status', /^malformed health body: status: /],
    ['/bad-status', /^malformed health body: status: /],
    ['/bad-check', /^malformed health body: checks\.x\.0\.status: /],
    ['/html', /^malformed health body: content-type "text\/html"/],
  ])('%s is an error: %s', async (path, reason) => {
    const result = await run(path);
    expect(result.outcome).toBe('error');
    expect(result.error).toMatch(reason);
    expect(result.body).toBeUndefined();
  });

  it('accepts plain application/json with parameters', async () => {
    await expect(run('/plain-json')).resolves.toMatchObject({ outcome: 'pass' });
  });

  it('caps the body it reads', async () => {
    const result = await run('/huge');
    expect(result).toMatchObject({
      outcome: 'error',
      httpStatus: 200,
      error: 'health body larger than 65536 bytes',
    });
  });

  it('times out a hanging instance', async () => {
    const result = await run('/hang', { timeoutMs: 200 });
    expect(result).toMatchObject({ outcome: 'error', error: 'timed out after 200 ms' });
    expect(result.httpStatus).toBeUndefined();
  });

  it('an external abort signal ends the probe too', async () => {
    const controller = new AbortController();
    const pending = run('/hang', { timeoutMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).resolves.toMatchObject({ outcome: 'error', error: 'aborted' });
  });

  it('does not follow a redirect to https, and says why', async () => {
    const before = seen.length;
    const result = await run('/redirect-https');
    expect(result).toMatchObject({ outcome: 'fail', httpStatus: 301 });
    expect(result.error).toBe(
      "redirected to https (HTTP 301): the app's HTTPS redirect must exempt the health path",
    );
    expect(seen.length).toBe(before + 1);
  });

  it('does not follow a local redirect either', async () => {
    const before = seen.length;
    const result = await run('/redirect-local');
    expect(result).toMatchObject({ outcome: 'fail', httpStatus: 302 });
    expect(result.error).toContain('redirects are not followed');
    expect(seen.length).toBe(before + 1);
  });

  it('another HTTP status is a failure', async () => {
    await expect(run('/not-found')).resolves.toMatchObject({
      outcome: 'fail',
      httpStatus: 404,
      error: 'unexpected HTTP status 404',
    });
  });

  it('an answer from another instance is an error, and its failing checks are not reported', async () => {
    const result = await run('/other-instance', { expectedInstanceId: 'i-0abc' });
    expect(result).toMatchObject({
      outcome: 'error',
      instanceId: 'i-other',
      failingChecks: [],
      error: 'answered by i-other, expected i-0abc',
    });
  });

  it('a body without an instance id keeps its verdict; instanceId is absent for the gate to judge', async () => {
    const result = await run('/anonymous', { expectedInstanceId: 'i-0abc' });
    expect(result.outcome).toBe('pass');
    expect(result.instanceId).toBeUndefined();
  });

  it('connection refused is an error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await probe({
      address: '127.0.0.1',
      port: closedPort,
      path: '/health',
      timeoutMs: 2000,
      allowedCidrs: LOOPBACK,
    });
    expect(result).toMatchObject({ outcome: 'error', error: 'connection refused' });
  });

  it('uses the injected clock for at and latency', async () => {
    const ticks = [1_700_000_000_000, 1_700_000_000_042];
    const now = vi.fn(() => ticks.shift() ?? 1_700_000_000_042);
    const result = await run('/pass', { now });
    expect(result.at).toBe(1_700_000_000_000);
    expect(result.latencyMs).toBe(42);
  });

  it('refuses loopback unless it is configured (default CIDRs)', async () => {
    const before = seen.length;
    const result = await probe({ address: '127.0.0.1', port, path: '/pass', timeoutMs: 2000 });
    expect(result.outcome).toBe('error');
    expect(result.error).toContain('outside the allowed CIDRs');
    expect(seen.length).toBe(before);
  });
});
