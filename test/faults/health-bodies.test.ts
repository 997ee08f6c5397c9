/**
 * Hostile or broken /health answers, served over real TCP on 127.0.0.1, through the whole launch gate: none may
 * lead to CONTINUE, each ends in one ABANDON, and no request goes anywhere but the instance's own URL.
 */
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { probe } from '../../shared/probe/probe';
import {
  expectAbandonedOnly,
  gateHarness,
  type HostileServer,
  INSTANCE,
  passingBody,
  rawResponse,
  runToEnd,
  startHostile,
} from './support';

const OTHER = 'i-0fedcba9876543210';
const JSON_TYPE = { 'content-type': 'application/health+json' };

let servers: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function hostile(respond: (socket: Socket, head: string, n: number) => void, host?: string) {
  const server = await startHostile(respond, host);
  servers.push(server);
  return server;
}

/** Answers every request with the same bytes, then ends the connection. */
const always = (bytes: Buffer) => (socket: Socket) => socket.end(bytes);

const body = (value: unknown) => JSON.stringify(value);

/** Each case: a hostile instance; the gate must never CONTINUE it. */
const cases: { name: string; respond: (socket: Socket, head: string, n: number) => void }[] = [
  {
    name: '200 with status fail',
    respond: always(rawResponse(200, body({ status: 'fail', instanceId: INSTANCE }))),
  },
  { name: '200 with a non-JSON body', respond: always(rawResponse(200, '<html>ok</html>')) },
  { name: '200 with a truncated JSON body', respond: always(rawResponse(200, passingBody().slice(0, 30))) },
  { name: '200 with an empty body', respond: always(rawResponse(200, '')) },
  { name: '200 with JSON null', respond: always(rawResponse(200, 'null')) },
  { name: '200 with a JSON array', respond: always(rawResponse(200, `[${passingBody()}]`)) },
  { name: '200 with the string "pass"', respond: always(rawResponse(200, '"pass"')) },
  {
    name: '200 with status "PASS" (case matters)',
    respond: always(rawResponse(200, body({ status: 'PASS', instanceId: INSTANCE }))),
  },
  {
    name: '200 with a passing body padded past 64 KiB',
    respond: always(
      rawResponse(200, body({ status: 'pass', instanceId: INSTANCE, pad: 'x'.repeat(70 * 1024) })),
    ),
  },
  {
    name: 'an endless chunked stream',
    respond: (socket) => {
      socket.write(
        'HTTP/1.1 200 OK\r\ncontent-type: application/health+json\r\ntransfer-encoding: chunked\r\n\r\n',
      );
      const timer = setInterval(() => {
        if (socket.destroyed) return clearInterval(timer);
        socket.write(`4000\r\n${' '.repeat(0x4000)}\r\n`);
      }, 1);
      socket.on('close', () => clearInterval(timer));
    },
  },
  {
    name: 'a gzip bomb (50 MB of spaces, compressed)',
    respond: always(
      rawResponse(200, gzipSync(Buffer.alloc(5_000_000, 32)), { ...JSON_TYPE, 'content-encoding': 'gzip' }),
    ),
  },
  {
    name: 'a passing body sent as text/html',
    respond: always(rawResponse(200, passingBody(), { 'content-type': 'text/html' })),
  },
  { name: 'a passing body with no content-type', respond: always(rawResponse(200, passingBody(), {})) },
  {
    name: 'status pass while a check fails',
    respond: always(
      rawResponse(
        200,
        body({
          status: 'pass',
          instanceId: INSTANCE,
          checks: { 'database:migrations': [{ status: 'fail', transient: false }] },
        }),
      ),
    ),
  },
  {
    name: 'status warn with a failing entry after a passing one',
    respond: always(
      rawResponse(
        200,
        body({
          status: 'warn',
          instanceId: INSTANCE,
          checks: { 'db:ping': [{ status: 'pass' }, { status: 'fail' }] },
        }),
      ),
    ),
  },
  {
    name: 'a failing check hidden under a "__proto__" key',
    respond: always(
      rawResponse(
        200,
        `{"status":"pass","instanceId":"${INSTANCE}","checks":{"__proto__":[{"status":"fail","transient":false}]}}`,
      ),
    ),
  },
  {
    name: 'an identity smuggled through a top-level "__proto__"',
    respond: always(rawResponse(200, `{"status":"pass","__proto__":{"instanceId":"${INSTANCE}"}}`)),
  },
  {
    name: 'a duplicate status key (fail, then pass)',
    respond: always(rawResponse(200, `{"status":"fail","instanceId":"${INSTANCE}","status":"pass"}`)),
  },
  { name: 'the passing body of another instance', respond: always(rawResponse(200, passingBody(OTHER))) },
  {
    name: 'a passing body without instanceId (public view only)',
    respond: always(rawResponse(200, body({ status: 'pass' }))),
  },
  { name: '503 with status pass', respond: always(rawResponse(503, passingBody())) },
  { name: '204 No Content', respond: always(rawResponse(204, '')) },
  { name: '201 with a passing body', respond: always(rawResponse(201, passingBody())) },
  {
    name: '302 to the metadata service (not followed)',
    respond: always(
      rawResponse(302, passingBody(), { ...JSON_TYPE, location: 'http://169.254.169.254/latest/meta-data/' }),
    ),
  },
  {
    name: '307 to https (not followed)',
    respond: always(rawResponse(307, '', { location: 'https://127.0.0.1/health' })),
  },
  {
    name: 'slow-loris: headers, then nothing',
    respond: (socket) =>
      socket.write(
        'HTTP/1.1 200 OK\r\ncontent-type: application/health+json\r\ncontent-length: 500\r\n\r\n{',
      ),
  },
  {
    name: 'slow-loris: the status line a byte at a time',
    respond: (socket) => {
      const text = rawResponse(200, passingBody()).toString('latin1');
      let i = 0;
      const timer = setInterval(() => {
        if (socket.destroyed || i >= text.length) return clearInterval(timer);
        socket.write(text[i++] ?? '');
      }, 50);
      socket.on('close', () => clearInterval(timer));
    },
  },
  { name: 'no answer at all', respond: () => undefined },
  {
    name: 'connection reset mid-body',
    respond: (socket) => {
      socket.write(
        'HTTP/1.1 200 OK\r\ncontent-type: application/health+json\r\ncontent-length: 400\r\n\r\n{"status":"pa',
      );
      setTimeout(() => socket.resetAndDestroy(), 10);
    },
  },
  { name: 'connection closed before any byte', respond: (socket) => socket.destroy() },
  { name: 'HTTP/0.9-style garbage (a bare JSON body)', respond: (socket) => socket.end(passingBody()) },
  {
    name: 'binary garbage',
    respond: (socket) => socket.end(Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10])),
  },
  {
    name: 'a content-length shorter than the body (smuggled second answer)',
    respond: (socket) =>
      socket.end(
        Buffer.concat([
          rawResponse(200, '{"status":"fail"}', { ...JSON_TYPE, 'content-length': '17' }),
          rawResponse(200, passingBody()),
        ]),
      ),
  },
];

describe('hostile /health answers through the launch gate', () => {
  it('control: a well-formed passing instance is continued (the cases below can fail)', async () => {
    const server = await hostile(always(rawResponse(200, passingBody())));
    const h = gateHarness(server.port);
    const out = await runToEnd(h);
    expect(out).toMatchObject({ outcome: 'decided', decision: { action: 'CONTINUE' } });
    expect(h.fetched.every((u) => u === `http://127.0.0.1:${server.port}/health`)).toBe(true);
  });

  it('control: a gzip-encoded passing body is a valid answer', async () => {
    const server = await hostile(
      always(rawResponse(200, gzipSync(passingBody()), { ...JSON_TYPE, 'content-encoding': 'gzip' })),
    );
    const h = gateHarness(server.port);
    expect(await runToEnd(h)).toMatchObject({ decision: { action: 'CONTINUE' } });
  });

  for (const c of cases) {
    it(`never continues: ${c.name}`, async () => {
      const server = await hostile(c.respond);
      const h = gateHarness(server.port);
      const out = await runToEnd(h);
      expectAbandonedOnly(h, out, `http://127.0.0.1:${server.port}/health`);
      expect(server.requests.length).toBeGreaterThan(0);
      // Every probe carried the health token to the intended instance only, and nothing else was requested.
      for (const head of server.requests) expect(head).toMatch(/^GET \/health HTTP\/1\.1\r\n/);
    });
  }

  it('never follows a redirect: the redirect target sees no request', async () => {
    const target = await hostile(always(rawResponse(200, passingBody())), '127.0.0.2');
    const server = await hostile(
      always(rawResponse(301, '', { location: `http://127.0.0.2:${target.port}/health` })),
    );
    const h = gateHarness(server.port);
    expectAbandonedOnly(h, await runToEnd(h), `http://127.0.0.1:${server.port}/health`);
    expect(target.requests).toEqual([]);
  });
});

describe('instance-named checks in metrics', () => {
  it('a body listing thousands of failing checks, renamed on every probe, adds a few clipped dimensions per probe', async () => {
    const server = await hostile((socket, _head, n) => {
      const checks: Record<string, unknown[]> = {};
      for (let i = 0; i < 1500; i++)
        checks[`c${n}-${i}:${'x'.repeat(i === 0 ? 300 : 1)}\n`] = [{ status: 'fail' }];
      socket.end(rawResponse(503, JSON.stringify({ status: 'fail', instanceId: INSTANCE, checks })));
    });
    const h = gateHarness(server.port);
    const out = await runToEnd(h);
    expectAbandonedOnly(h, out, `http://127.0.0.1:${server.port}/health`);
    const names = h.metrics.points
      .filter((p) => p.name === 'CheckFailures')
      .map((p) => String(p.extra.Check));
    expect(names.length).toBeGreaterThan(0);
    expect(names.length).toBeLessThanOrEqual(8 * server.requests.length);
    expect(names.some((name) => name.endsWith('…'))).toBe(true);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(64);
      expect(name).not.toMatch(/[\n\r]/);
    }
  });
});

describe('the probe bounds hostile answers', () => {
  const base = {
    address: '127.0.0.1',
    path: '/health',
    allowedCidrs: ['127.0.0.0/8'],
    expectedInstanceId: INSTANCE,
  };

  it('times out a slow-loris within the probe timeout (no hang)', async () => {
    const server = await hostile((socket) =>
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/health+json\r\ncontent-length: 10\r\n\r\n{'),
    );
    const result = await probe({ ...base, port: server.port, timeoutMs: 300 });
    expect(result).toMatchObject({ outcome: 'error', error: 'timed out after 300 ms' });
  });

  it('stops reading an endless stream at the cap and names it', async () => {
    const server = await hostile(cases.find((c) => c.name === 'an endless chunked stream')!.respond);
    const result = await probe({ ...base, port: server.port, timeoutMs: 5_000 });
    expect(result).toMatchObject({ outcome: 'error', error: 'health body larger than 65536 bytes' });
  });

  it('refuses a failing check keyed "__proto__" with a clear reason', async () => {
    const server = await hostile(cases.find((c) => c.name.includes('"__proto__" key'))!.respond);
    const result = await probe({ ...base, port: server.port, timeoutMs: 2_000 });
    expect(result.outcome).toBe('error');
    expect(result.error).toContain('__proto__');
  });

  it('refuses duplicate keys with a clear reason', async () => {
    const server = await hostile(cases.find((c) => c.name.startsWith('a duplicate status key'))!.respond);
    const result = await probe({ ...base, port: server.port, timeoutMs: 2_000 });
    expect(result.outcome).toBe('error');
    expect(result.error).toContain('duplicate key "status"');
  });

  it('a gate over many steps still probes only the intended URL', async () => {
    const server = await hostile(always(rawResponse(200, passingBody(OTHER))));
    const h = gateHarness(server.port);
    const out = await runToEnd(h);
    expect(h.scheduled.length).toBeGreaterThan(1);
    expectAbandonedOnly(h, out, `http://127.0.0.1:${server.port}/health`);
  });
});
