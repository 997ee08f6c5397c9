/** The app's health front: its routes answered ahead of fastify, with the app's Host check and health log. */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createHostCheck } from '../../../app/allowed-hosts';
import { createHealthFront } from '../../../app/health-front';
import { createHealthHandler, createHealthRunner, type HealthRunner } from '../../../shared/health';
import { get, TEST_TOKEN, withToken } from './helpers';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server whose health requests the front answers; the rest get 418 from "the app", which records them. */
async function serve(runner: HealthRunner = createHealthRunner({ checks: [], identity: { version: '7' } })) {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { base: { stream: 'health' } },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    }),
  );
  const passedOn: string[] = [];
  let closing = false;
  const front = createHealthFront({
    health: createHealthHandler({ runner, auth: { token: TEST_TOKEN } }),
    hostAllowed: createHostCheck(['app.example.test']),
    log,
    closing: () => closing,
  });
  const server = createServer((req, res) => {
    if (!front(req, res)) {
      passedOn.push(`${req.method} ${req.url}`);
      res.writeHead(418).end();
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    lines,
    passedOn,
    setClosing: (value: boolean) => {
      closing = value;
    },
  };
}

describe('the health front', () => {
  it('answers both routes, details only with the token, and logs one line per request', async () => {
    const { port, lines, passedOn } = await serve();
    const deep = await get(port, '/health', withToken);
    expect(deep.status).toBe(200);
    expect(deep.headers['content-type']).toBe('application/health+json');
    expect(deep.json()).toMatchObject({ status: 'pass', version: '7' });
    expect((await get(port, '/health')).json()).toEqual({ status: 'pass' });
    expect((await get(port, '/health/live')).status).toBe(200);
    expect(passedOn).toEqual([]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      stream: 'health',
      msg: 'request completed',
      reqId: 'health-1',
      method: 'GET',
      url: '/health',
      host: 'app.example.test',
      remoteAddress: '127.0.0.1',
      statusCode: 200,
      responseTime: expect.any(Number),
    });
    expect(lines.map((l) => l.url)).toEqual(['/health', '/health', '/health/live']);
    expect(JSON.stringify(lines)).not.toContain(TEST_TOKEN);
  });

  it("an unknown Host gets the app's 400 without running a check, logged; other requests reach the app", async () => {
    const runner = createHealthRunner({ checks: [] });
    const { port, lines, passedOn } = await serve(runner);
    const refused = await get(port, '/health', { host: 'evil.example', ...withToken });
    expect(refused.status).toBe(400);
    expect(refused.body).toBe('Bad Request: unknown host\n');
    expect(refused.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(runner.runs).toBe(0);
    expect(lines).toEqual([
      expect.objectContaining({ url: '/health', host: 'evil.example', statusCode: 400 }),
    ]);

    expect((await get(port, '/')).status).toBe(418);
    const post = await fetch(`http://127.0.0.1:${port}/health`, { method: 'POST' });
    expect(post.status).toBe(418);
    expect(passedOn).toEqual(['GET /', 'POST /health']);
    expect(lines).toHaveLength(1);
  });

  it('while the server closes, answers ask the client to close the connection', async () => {
    const { port, setClosing } = await serve();
    const agent = new Agent({ keepAlive: true });
    const connectionOf = () =>
      new Promise<string | undefined>((resolve, reject) => {
        request(
          { host: '127.0.0.1', port, path: '/health/live', agent, headers: { host: 'app.example.test' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.headers.connection));
          },
        )
          .on('error', reject)
          .end();
      });
    try {
      expect(await connectionOf()).toBe('keep-alive');
      setClosing(true);
      expect(await connectionOf()).toBe('close');
    } finally {
      agent.destroy();
    }
  });

  it('a rejected report: 503 without detail, the error in the health log', async () => {
    const { port, lines } = await serve({ runs: 0, report: () => Promise.reject(new Error('imds down')) });
    const res = await get(port, '/health', withToken);
    expect(res.status).toBe(503);
    expect(res.json()).toEqual({ status: 'fail', output: 'health report unavailable' });
    expect(lines[0]).toMatchObject({ msg: 'health report failed', err: { message: 'imds down' } });
    expect(lines[1]).toMatchObject({ msg: 'request completed', statusCode: 503 });
  });
});
