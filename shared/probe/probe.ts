import { checkProbeTarget } from './address-guard';
import { failingChecks, parseHealthBody } from './health-body';
import type { ProbeOptions, ProbeResult } from './types';

/** Default largest body read. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Longest timeout accepted: a probe never outlives a Lambda invocation. */
export const MAX_PROBE_TIMEOUT_MS = 60_000;

const HEALTH_MEDIA_TYPES = new Set(['application/health+json', 'application/json']);

/**
 * Probes an instance's deep `/health` once. Never throws: every failure is an outcome. A refused target
 * (see {@link checkProbeTarget}) is an `error` and no request is made. Redirects are not followed.
 *
 * @example
 * const result = await probe({ address: '10.0.1.15', port: 8080, path: '/health', timeoutMs: 2000,
 *   expectedInstanceId: 'i-0abc', headers: { 'x-health-token': token } });
 */
export async function probe(options: ProbeOptions): Promise<ProbeResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const at = started;
  const finish = (rest: Omit<ProbeResult, 'at' | 'latencyMs' | 'failingChecks'> & Partial<ProbeResult>) =>
    ({ at, latencyMs: Math.max(0, now() - started), failingChecks: [], ...rest }) as ProbeResult;

  const target = checkProbeTarget(options);
  if (!target.ok) {
    return {
      at,
      latencyMs: 0,
      outcome: 'error',
      failingChecks: [],
      error: `probe refused: ${target.reason}`,
    };
  }
  const { timeoutMs } = options;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_PROBE_TIMEOUT_MS) {
    return {
      at,
      latencyMs: 0,
      outcome: 'error',
      failingChecks: [],
      error: `probe refused: timeout ${timeoutMs} ms`,
    };
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const fetchFn = options.fetch ?? fetch;

  let response: Response;
  let text: string | undefined;
  try {
    response = await fetchFn(target.url, {
      method: 'GET',
      redirect: 'manual',
      signal,
      headers: { ...withoutHost(options.headers), accept: 'application/health+json, application/json' },
    });
    const httpStatus = response.status;
    if (httpStatus >= 300 && httpStatus < 400) {
      await response.body?.cancel().catch(() => undefined);
      return finish({
        outcome: 'fail',
        httpStatus,
        error: redirectReason(httpStatus, response.headers.get('location')),
      });
    }
    if (httpStatus !== 200 && httpStatus !== 503) {
      await response.body?.cancel().catch(() => undefined);
      return finish({ outcome: 'fail', httpStatus, error: `unexpected HTTP status ${httpStatus}` });
    }
    const mediaType =
      (response.headers.get('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
    if (!HEALTH_MEDIA_TYPES.has(mediaType)) {
      await response.body?.cancel().catch(() => undefined);
      return finish({
        outcome: 'error',
        httpStatus,
        error: `malformed health body: content-type ${JSON.stringify(mediaType.slice(0, 100))}, expected application/health+json`,
      });
    }
    text = await readCapped(response, maxBodyBytes);
    if (text === undefined) {
      return finish({ outcome: 'error', httpStatus, error: `health body larger than ${maxBodyBytes} bytes` });
    }
  } catch (error) {
    return finish({ outcome: 'error', error: networkReason(error, timeout, timeoutMs) });
  }

  const httpStatus = response.status;
  const parsed = parseHealthBody(text);
  if (!parsed.ok) {
    return finish({ outcome: 'error', httpStatus, error: parsed.reason });
  }
  const { body } = parsed;
  const identity = body.instanceId === undefined ? {} : { instanceId: body.instanceId };
  if (options.expectedInstanceId !== undefined && body.instanceId !== undefined) {
    if (body.instanceId !== options.expectedInstanceId) {
      // Another instance answered (a reused address): its verdict, and its failing checks, are not this one's.
      return finish({
        outcome: 'error',
        httpStatus,
        ...identity,
        body,
        error: `answered by ${body.instanceId.slice(0, 64)}, expected ${options.expectedInstanceId}`,
      });
    }
  }
  const failing = failingChecks(body);
  if (body.status === 'fail') {
    return finish({ outcome: 'fail', httpStatus, ...identity, failingChecks: failing, body });
  }
  if (httpStatus === 503) {
    return finish({
      outcome: 'fail',
      httpStatus,
      ...identity,
      failingChecks: failing,
      body,
      error: `HTTP 503 with status ${body.status}`,
    });
  }
  return finish({ outcome: body.status, httpStatus, ...identity, failingChecks: failing, body });
}

function withoutHost(headers: ProbeOptions['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'host') {
      result[name] = value;
    }
  }
  return result;
}

/** Reads at most `limit` bytes of the body; undefined when it is larger (the rest is not read). */
async function readCapped(response: Response, limit: number): Promise<string | undefined> {
  if (!response.body) {
    return '';
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function redirectReason(status: number, location: string | null): string {
  const where = (location ?? '').slice(0, 200);
  if (where.toLowerCase().startsWith('https:')) {
    return `redirected to https (HTTP ${status}): the app's HTTPS redirect must exempt the health path`;
  }
  return `redirected (HTTP ${status}) to ${JSON.stringify(where)}: redirects are not followed`;
}

function networkReason(error: unknown, timeout: AbortSignal, timeoutMs: number): string {
  if (timeout.aborted) {
    return `timed out after ${timeoutMs} ms`;
  }
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return 'aborted';
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code === 'ECONNREFUSED') {
    return 'connection refused';
  }
  if (code) {
    return `network error: ${code}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `network error: ${message.slice(0, 200)}`;
}
