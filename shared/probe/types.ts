import type { FailingCheck, ProbeOutcome } from '../gate/observation';
import type { HealthBody } from '../health/types';

// One vocabulary for what a probe came to: the decision engine's, which reads these observations.
export { type FailingCheck, ProbeOutcome } from '../gate/observation';

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
