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
}

/** What to do with one call. */
export interface FaultDecision {
  latencyMs: number;
  error?: SimError;
}

/** The throttling code each service's real endpoint uses. */
const throttleCode: Record<string, { code: string; message: string }> = {
  ec2: { code: 'RequestLimitExceeded', message: 'Request limit exceeded.' },
  ssm: { code: 'ThrottlingException', message: 'Rate exceeded' },
};

/** Decides the fault (if any) for one call; matching rules add their latency, the first hit error wins. */
export const decideFault = (
  rules: readonly FaultRule[],
  call: { service: string; action: string },
  random: Random,
): FaultDecision => {
  let latencyMs = 0;
  let error: SimError | undefined;
  for (const r of rules) {
    if ((r.service && r.service !== call.service) || (r.action && r.action !== call.action)) continue;
    latencyMs += r.latencyMs ?? 0;
    if (error) continue;
    if (r.throttleRate && random() < r.throttleRate) {
      const t = throttleCode[call.service] ?? { code: 'Throttling', message: 'Rate exceeded' };
      error = new SimError(t.code, t.message, 400);
    } else if (r.errorRate && random() < r.errorRate) {
      error =
        r.errorCode === 'ServiceUnavailable'
          ? new SimError('ServiceUnavailable', 'Service is unavailable. Please try again.', 503)
          : new SimError('InternalFailure', 'An internal error occurred.', 500);
    }
  }
  return { latencyMs, error };
};
