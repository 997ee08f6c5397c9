/** The node:http adapter on a plain node server, over real HTTP on port 0. */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealthRunner, migrationsCheck, pageRendersCheck } from '../../../shared/health';
import { createHealthListener, serverInject } from '../../../shared/health/node';

const TOKEN = 'node-token';
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(listener: RequestListener, server: Server = createServer(listener)): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createHealthListener (node:http) over HTTP', () => {
  it('alone: answers its routes (content length, no chunking) and 404 for the rest', async () => {
    const health = createHealthListener({
      runner: createHealthRunner({ checks: [], identity: { version: '2' } }),
      auth: { token: TOKEN },
    });
    const base = await listen(health);
    const res = await fetch(`${base}/health`, { headers: { 'x-health-token': TOKEN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/health+json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('transfer-encoding')).toBeNull();
    const text = await res.text();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(JSON.parse(text)).toMatchObject({ status: 'pass', version: '2', checks: {} });
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'pass' });
    const head = await fetch(`${base}/health/live`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const other = await fetch(`${base}/other`);
    expect(other.status).toBe(404);
    expect(await other.text()).toBe('Not Found\n');
  });

  it("before an app: other requests reach it, and serverInject renders the app's page through its server", async () => {
    const page: RequestListener = (req, res) => {
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Meters</h1>');
      } else {
        res.writeHead(418).end();
      }
    };
    let pending = ['0002_meters'];
    const server = createServer((req, res) => health(req, res, () => page(req, res)));
    const health = createHealthListener({
      runner: createHealthRunner({
        checks: [
          pageRendersCheck({ inject: serverInject(server), expectText: '<h1>Meters</h1>' }),
          migrationsCheck({ pending: async () => pending }),
        ],
        cacheTtlMs: 0,
      }),
      auth: { token: TOKEN },
    });
    const base = await listen(page, server);
    const failing = await fetch(`${base}/health`, { headers: { 'x-health-token': TOKEN } });
    expect(failing.status).toBe(503);
    expect(await failing.json()).toMatchObject({
      checks: {
        'homepage:status': [{ status: 'pass' }],
        'migrations:pending': [
          { status: 'fail', transient: false, output: 'pending migrations: 0002_meters' },
        ],
      },
    });
    pending = [];
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/teapot`)).status).toBe(418);
  });

  it('draining: readiness 503, liveness 200', async () => {
    const health = createHealthListener({ runner: createHealthRunner({ checks: [] }), draining: () => true });
    const base = await listen(health);
    expect((await fetch(`${base}/health`)).status).toBe(503);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
  });

  it('serverInject: a server not listening is a failed page, named, not a hang', async () => {
    const server = createServer(() => {});
    const runner = createHealthRunner({ checks: [pageRendersCheck({ inject: serverInject(server) })] });
    const report = await runner.report();
    expect(report.body.checks?.['homepage:status']?.[0]).toMatchObject({
      status: 'fail',
      output: 'the server is not listening',
    });
  });

  it('serverInject: the check timeout aborts a page that hangs, and the request is not left open', async () => {
    let closed = false;
    const server = createServer((req) => {
      req.socket.once('close', () => {
        closed = true;
      });
    });
    await listen(() => {}, server);
    const runner = createHealthRunner({
      checks: [pageRendersCheck({ inject: serverInject(server), timeoutMs: 100 })],
    });
    const report = await runner.report();
    expect(report.body.checks?.['homepage:status']?.[0]).toMatchObject({
      status: 'fail',
      output: 'timed out after 100 ms',
    });
    await expect.poll(() => closed, { timeout: 2000 }).toBe(true);
  });
});
