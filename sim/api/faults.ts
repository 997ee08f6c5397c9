/**
 * Fault injection on the API side: throttle a share of calls, fail a share with 5xx, add latency. Rules are
 * set at runtime; the decision is a pure function of the rules, the call and injected randomness.
 */
import { SimError } from '../model/errors';
import type { Random } from '../model/ids';

/** One rule; `service`/`action` narrow it (absent = every call). Rates are shares in [0, 1]. */
export interface FaultRule {
  service?: string;
  action?: string;
  /** Share of calls answered with the service's throttling error (the SDK retries those). */
  throttleRate?: number;
  /** Share of calls answered with a server error. */
  errorRate?: number;
  /** Which server error; default InternalFailure (500). */
  errorCode?: 'InternalFailure' | 'ServiceUnavailable';
  /** Added before the call is handled, in real milliseconds. */
  latencyMs?: number;
  /**
   * At most this many injected errors in a row for one request (the SDK's `amz-sdk-invocation-id`, which its
   * retries repeat; else the same parameters); the next attempt goes through. A client that retries more often than this always gets
   * through, so a test of "throttled but correct" cannot flake.
   */
  maxConsecutive?: number;
}

/** Injected errors in a row, by rule and call; kept by the caller between decisions. */
export type FaultStreaks = Map<string, number>;

/** What to do with one call. */
export interface FaultDecision {
  latencyMs: number;
  error?: SimError;
}

/** The throttling code each service's real endpoint uses. */
const throttleCode: Record<string, { code: string; message: string; status?: number }> = {
  ec2: { code: 'RequestLimitExceeded', message: 'Request limit exceeded.' },
  ssm: { code: 'ThrottlingException', message: 'Rate exceeded' },
  // SQS's modeled throttling error (403, query code `RequestThrottled`), which the SDK retries as throttling.
  sqs: { code: 'RequestThrottled', message: 'Request is throttled.', status: 403 },
  lambda: { code: 'TooManyRequestsException', message: 'Rate Exceeded.', status: 429 },
};

/** Decides the fault (if any) for one call; matching rules add their latency, the first hit error wins. */
export const decideFault = (
  rules: readonly FaultRule[],
  call: { service: string; action: string; request?: string },
  random: Random,
  streaks: FaultStreaks = new Map(),
): FaultDecision => {
  let latencyMs = 0;
  let error: SimError | undefined;
  for (const [index, r] of rules.entries()) {
    if ((r.service && r.service !== call.service) || (r.action && r.action !== call.action)) continue;
    latencyMs += r.latencyMs ?? 0;
    if (error) continue;
    const key = `${index}:${call.service}:${call.action}:${call.request ?? ''}`;
    const streak = streaks.get(key) ?? 0;
    if (r.maxConsecutive !== undefined && streak >= r.maxConsecutive) {
      streaks.set(key, 0);
      continue;
    }
    if (r.throttleRate && random() < r.throttleRate) {
      const t = throttleCode[call.service] ?? { code: 'Throttling', message: 'Rate exceeded' };
      error = new SimError(t.code, t.message, t.status ?? 400);
    } else if (r.errorRate && random() < r.errorRate) {
      error =
        r.errorCode === 'ServiceUnavailable'
          ? new SimError('ServiceUnavailable', 'Service is unavailable. Please try again.', 503)
          : call.service === 'lambda'
            ? new SimError('ServiceException', 'An internal error occurred.', 500)
            : new SimError('InternalFailure', 'An internal error occurred.', 500);
    }
    streaks.set(key, error ? streak + 1 : 0);
  }
  return { latencyMs, error };
};
