/**
 * Fault-suite support: hostile instances as raw TCP servers on 127.0.0.1 (they can answer anything, including
 * garbage that no HTTP library would produce), a fetch that records every URL the probe asks for, and a runner
 * that drives the real launch gate (real adapters over mocked SDK clients, fake clock) to its end.
 */

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { CompleteLifecycleActionCommand } from '@aws-sdk/client-auto-scaling';
import { expect } from 'vitest';

import { probe } from '../../shared/probe/probe';
import {
  createHarness,
  type HarnessOptions,
  INSTANCE,
  launchEvent,
  type RunOutcome,
} from '../support/launch-harness';

export { INSTANCE };

/** A raw TCP server on loopback: `respond` gets the socket once a full request head has arrived. */
export interface HostileServer {
  host: string;
  port: number;
  /** Request heads received (one per request). */
  requests: string[];
  close: () => Promise<void>;
}

export async function startHostile(
  respond: (socket: Socket, head: string, n: number) => void,
  host = '127.0.0.1',
): Promise<HostileServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.slice(0, end);
      buffered = buffered.slice(end + 4);
      requests.push(head);
      respond(socket, head, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    host,
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An HTTP/1.1 response as bytes: status line, headers, body (Content-Length unless `headers` sets framing). */
export function rawResponse(
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/health+json' },
): Buffer {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  const framing =
    'content-length' in headers || 'transfer-encoding' in headers
      ? {}
      : { 'content-length': String(payload.length) };
  const lines = [
    `HTTP/1.1 ${status} X`,
    ...Object.entries({ ...headers, ...framing }).map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

/** A well-formed passing body from `instanceId` (the gate CONTINUEs on it: the control case). */
export function passingBody(instanceId = INSTANCE): string {
  return JSON.stringify({
    status: 'pass',
    version: '1.0.0',
    instanceId,
    checks: { 'configuration:keys': [{ status: 'pass', componentType: 'component' }] },
  });
}

/** A policy for the loopback instance: few probes, short real timeouts. */
export function fastPolicy(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    port,
    probeCidrs: ['127.0.0.0/8'],
    intervalSeconds: 1,
    timeoutSeconds: 0.4,
    healthyThreshold: 2,
    deadlineSeconds: 5,
    lbVerifySeconds: 2,
    ...extra,
  };
}

/**
 * The launch gate's harness with its probe's fetch recorded: `fetched` lists every URL the gate asked for, so a
 * test can assert that nothing but the intended instance was ever requested.
 */
export function gateHarness(port: number, options: HarnessOptions = {}) {
  const h = createHarness({ port } as Parameters<typeof createHarness>[0], {
    policy: fastPolicy(port),
    ...options,
  });
  const fetched: string[] = [];
  const recordingFetch: typeof fetch = (input, init) => {
    fetched.push(String(input));
    return fetch(input, init);
  };
  h.deps.probe = (o) => {
    h.probes.push(o);
    return probe({ ...o, fetch: recordingFetch });
  };
  const completions = () =>
    h.mocks.as.commandCalls(CompleteLifecycleActionCommand).map((c) => c.args[0].input);
  return { ...h, fetched, completions };
}
export type GateHarness = ReturnType<typeof gateHarness>;

/** Runs the gate on a launch event (or a step) to its end, following every scheduled step (at most `maxSteps`). */
export function runToEnd(
  h: GateHarness,
  event: unknown = launchEvent(),
  maxSteps = 2_000,
): Promise<RunOutcome> {
  return h.run(event, maxSteps);
}

/** The gate's one completion was ABANDON, and every request went to the intended URL only. */
export function expectAbandonedOnly(h: GateHarness, out: RunOutcome, intendedUrl?: string): void {
  expect(out.outcome === 'decided' ? out.decision.action : out.outcome).not.toBe('CONTINUE');
  const results = h.completions().map((c) => c.LifecycleActionResult);
  expect(results).toEqual(['ABANDON']);
  if (intendedUrl !== undefined) {
    for (const url of h.fetched) expect(url).toBe(intendedUrl);
  } else {
    expect(h.fetched).toEqual([]);
  }
}
