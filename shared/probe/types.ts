import type { HealthBody } from '../health/types';

/** What one probe came to. */
export const ProbeOutcome = {
  /** HTTP 200 with status pass. */
  pass: 'pass',
  /** HTTP 200 with status warn. */
  warn: 'warn',
  /** The instance says it is unhealthy: status fail, a 503, a redirect, or another HTTP status. */
  fail: 'fail',
  /** No verdict from this instance: refused target, network error, timeout, malformed body, another instance. */
  error: 'error',
} as const;
export type ProbeOutcome = (typeof ProbeOutcome)[keyof typeof ProbeOutcome];

/** A failing check the instance reported. */
export interface FailingCheck {
  /** The key in `checks`, `"<component>:<measurement>"`. */
  name: string;
  /** False only when the instance says explicitly (`transient: false`) that waiting will not heal it. */
  transient: boolean;
  componentType?: string;
  output?: string;
}

/** The result of one probe. */
export interface ProbeResult {
  /** When the probe started, in epoch milliseconds (as shared/gate's ProbeObservation has it). */
  at: number;
  latencyMs: number;
  outcome: ProbeOutcome;
  httpStatus?: number;
  /** The instance id the body reported. */
  instanceId?: string;
  /** Empty unless the body came from the expected instance and reported failing checks. */
  failingChecks: FailingCheck[];
  /** Why the outcome is `error` (or a `fail` not described by the body). */
  error?: string;
  /** The parsed body, when there was a valid one. */
  body?: HealthBody;
}

/** What to probe and how. */
export interface ProbeOptions {
  /** A literal IPv4 address (the instance's private IP). Nothing else is accepted. */
  address: string;
  port: number;
  /** Starts with `/`, e.g. `/health`. */
  path: string;
  timeoutMs: number;
  /** When set, a body reporting another instance id is an `error` (an address reused by another instance). */
  expectedInstanceId?: string;
  /** CIDRs the address must lie in; default {@link DEFAULT_PROBE_CIDRS}. Loopback only when listed here. */
  allowedCidrs?: readonly string[];
  /** Extra request headers, e.g. the health token that unlocks the detailed body. `host` is ignored. */
  headers?: Readonly<Record<string, string>>;
  /** Aborts the probe early (e.g. the invocation's remaining budget). */
  signal?: AbortSignal;
  /** Default global `fetch`. */
  fetch?: typeof fetch;
  /** Milliseconds clock; default `Date.now`. */
  now?: () => number;
  /** Largest body read; default 64 KiB. */
  maxBodyBytes?: number;
}
