/** One ELB-style health check against an instance's private IP: real HTTP GET or TCP connect. */
import { connect } from 'node:net';
import { CheckFailure, type CheckResult } from './target-health';

export type FetchLike = (
  url: string,
  init: { signal: AbortSignal; redirect: 'manual' },
) => Promise<{ status: number; body?: unknown }>;

/** Where and how to check. */
export interface ProbeTarget {
  protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'SSL';
  ip: string;
  port: number;
  path?: string;
}

/** Whether `code` satisfies an ELBv2 matcher like `200`, `200,202` or `200-299`. */
export const matchesHttpCode = (matcher: string, code: number): boolean =>
  matcher.split(',').some((part) => {
    const [lo, hi] = part.trim().split('-').map(Number);
    return hi === undefined ? code === lo : code >= lo! && code <= hi;
  });

const isLoopback = (ip: string): boolean => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);

const tcpCheck = (ip: string, port: number, timeoutMs: number): Promise<CheckResult> =>
  new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    const done = (result: CheckResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, failure: CheckFailure.Timeout }));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (e) =>
      done({ ok: false, failure: CheckFailure.FailedHealthChecks, detail: e.message }),
    );
  });

/**
 * Checks one target. Only loopback addresses are ever contacted: anything else fails closed.
 */
export const probeTarget = async (
  target: ProbeTarget,
  options: { timeoutMs: number; matcher: string; fetch: FetchLike },
): Promise<CheckResult> => {
  if (!isLoopback(target.ip)) {
    return {
      ok: false,
      failure: CheckFailure.FailedHealthChecks,
      detail: `refusing non-loopback ${target.ip}`,
    };
  }
  if (target.protocol === 'TCP' || target.protocol === 'SSL')
    return tcpCheck(target.ip, target.port, options.timeoutMs);
  const scheme = target.protocol === 'HTTPS' ? 'https' : 'http';
  const url = `${scheme}://${target.ip}:${target.port}${target.path ?? '/'}`;
  try {
    const response = await options.fetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'manual',
    });
    const body = response.body as { cancel?: () => Promise<void> } | undefined;
    await body?.cancel?.().catch(() => undefined);
    return matchesHttpCode(options.matcher, response.status)
      ? { ok: true }
      : { ok: false, failure: CheckFailure.ResponseCodeMismatch, statusCode: response.status };
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') return { ok: false, failure: CheckFailure.Timeout };
    return { ok: false, failure: CheckFailure.FailedHealthChecks, detail: (e as Error).message };
  }
};
