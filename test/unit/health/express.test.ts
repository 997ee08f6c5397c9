/** The express adapter with a real express app, over real HTTP on port 0. */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHealthRunner,
  databaseCheck,
  pageRendersCheck,
  requiredConfigCheck,
} from '../../../shared/health';
import { expressInject, healthMiddleware } from '../../../shared/health/express';

const TOKEN = 'express-token';
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** Serves `app` on 127.0.0.1:0; `server` is created first so a page check can be given it before it listens. */
async function listen(app: express.Express, server: Server = createServer(app)): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** GET over node:http, which (unlike fetch) sends the Host header it is given. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An express app with a Host check before everything, the health middleware, and a home page. */
function appWith(runnerFor: (server: Server) => ReturnType<typeof createHealthRunner>) {
  const app = express();
  const server = createServer(app);
  app.use((req, res, next) => {
    if (req.headers.host?.split(':')[0] !== '127.0.0.1' && req.headers.host !== 'www.example.test') {
      res.status(400).send('unknown host');
      return;
    }
    next();
  });
  app.use(healthMiddleware({ runner: runnerFor(server), auth: { token: TOKEN } }));
  app.get('/', (_req, res) => {
    res.type('html').send('<h1>Tariffs</h1>');
  });
  return { app, server };
}

describe('healthMiddleware (express) over HTTP', () => {
  it('serves a deep /health: details with the token, status only without, and passes other routes on', async () => {
    let pings = 0;
    const { app, server } = appWith((self) =>
      createHealthRunner({
        checks: [
          requiredConfigCheck({ keys: ['SESSION_SECRET'], env: { SESSION_SECRET: 's' } }),
          databaseCheck({
            ping: async () => {
              pings += 1;
            },
          }),
          pageRendersCheck({
            inject: expressInject(self),
            headers: { host: 'www.example.test' },
            expectText: '<h1>Tariffs</h1>',
          }),
        ],
        identity: { version: '3.1.0', serviceId: 'web' },
      }),
    );
    const base = await listen(app, server);
    const res = await fetch(`${base}/health`, { headers: { 'x-health-token': TOKEN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/health+json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({
      status: 'pass',
      version: '3.1.0',
      checks: {
        'configuration:keys': [{ status: 'pass' }],
        'database:responseTime': [{ status: 'pass', observedUnit: 'ms' }],
        'homepage:status': [{ status: 'pass', observedValue: 200 }],
      },
    });
    expect(pings).toBe(1);
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'pass' });
    expect(await (await fetch(`${base}/health/live`)).json()).toEqual({ status: 'pass' });
    const home = await fetch(`${base}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toBe('<h1>Tariffs</h1>');
    expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
    // POST is not a health request: express answers it (404), not the middleware.
    expect((await fetch(`${base}/health`, { method: 'POST' })).status).toBe(404);
  });

  it('a failing check → 503, transient:false kept; the Host check before it still applies', async () => {
    const { app, server } = appWith(() =>
      createHealthRunner({ checks: [requiredConfigCheck({ keys: ['SESSION_SECRET'], env: {} })] }),
    );
    const base = await listen(app, server);
    const res = await fetch(`${base}/health`, { headers: { 'x-health-token': TOKEN } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'fail',
      checks: { 'configuration:keys': [{ status: 'fail', transient: false }] },
    });
    expect((await get(`${base}/health`, { host: 'evil.example' })).status).toBe(400);
    expect((await get(`${base}/health`, { host: 'www.example.test' })).status).toBe(503);
  });

  it('a page that fails through the express stack is named with its status', async () => {
    const { app, server } = appWith((self) =>
      createHealthRunner({
        checks: [pageRendersCheck({ inject: expressInject(self), headers: { host: 'evil.example' } })],
      }),
    );
    const base = await listen(app, server);
    const body = await (await fetch(`${base}/health`, { headers: { 'x-health-token': TOKEN } })).json();
    expect(body).toMatchObject({
      status: 'fail',
      checks: { 'homepage:status': [{ status: 'fail', output: 'GET / answered 400, expected 200' }] },
    });
  });

  it("authorises by the socket's peer, even with trust proxy on and a forged X-Forwarded-For", async () => {
    const app = express();
    app.set('trust proxy', true);
    app.use(
      healthMiddleware({
        runner: createHealthRunner({ checks: [], identity: { version: '1' } }),
        auth: { cidrs: ['10.0.0.0/8'] },
      }),
    );
    const base = await listen(app);
    const forged = await fetch(`${base}/health`, { headers: { 'x-forwarded-for': '10.0.0.1' } });
    expect(await forged.json()).toEqual({ status: 'pass' });
    const loopback = express();
    loopback.use(
      healthMiddleware({
        runner: createHealthRunner({ checks: [], identity: { version: '1' } }),
        auth: { cidrs: ['127.0.0.0/8'] },
      }),
    );
    expect(await (await fetch(`${await listen(loopback)}/health`)).json()).toMatchObject({ version: '1' });
  });

  it('mounted under a prefix, its routes are relative to it', async () => {
    const app = express();
    app.use('/ops', healthMiddleware({ runner: createHealthRunner({ checks: [] }) }));
    const base = await listen(app);
    expect((await fetch(`${base}/ops/health`)).status).toBe(200);
    expect((await fetch(`${base}/ops/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health`)).status).toBe(404);
  });

  it('a rejected report → 503 without detail, told to onReportError', async () => {
    const errors: unknown[] = [];
    const app = express();
    app.use(
      healthMiddleware({
        runner: createHealthRunner({
          checks: [],
          identity: () => {
            throw new Error('imds down');
          },
        }),
        auth: { token: TOKEN },
        onReportError: (error) => errors.push(error),
      }),
    );
    const base = await listen(app);
    const res = await fetch(`${base}/health`, { headers: { 'x-health-token': TOKEN } });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'fail', output: 'health report unavailable' });
    expect(errors).toEqual([new Error('imds down')]);
  });
});
