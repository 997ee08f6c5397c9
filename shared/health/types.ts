/**
 * Types of the deep health-check library: what a check is, what it returns, and the
 * `application/health+json` body (draft-inadarei-api-health-check) that instances serve.
 */

/** The three health states, in order of severity. */
export const HealthStatus = {
  pass: 'pass',
  warn: 'warn',
  fail: 'fail',
} as const;
export type HealthStatus = (typeof HealthStatus)[keyof typeof HealthStatus];

/** What one run of a check reports. `output` may be shown to authorised callers only. */
export interface CheckOutcome {
  status: HealthStatus;
  observedValue?: unknown;
  observedUnit?: string;
  /** Human-readable explanation, required when status is not `pass`. Never a secret or a stack trace. */
  output?: string;
}

/**
 * A check declared as data plus one async function.
 *
 * @example
 * const db: HealthCheck = {
 *   name: 'database:responseTime',
 *   componentType: 'datastore',
 *   transient: true,
 *   timeoutMs: 1000,
 *   run: async (signal) => { await ping(signal); return { status: 'pass' }; },
 * };
 */
export interface HealthCheck {
  /** `"<component>:<measurement>"`, the key in the body's `checks`. */
  name: string;
  /** `component`, `datastore`, `system`, … as the draft suggests. */
  componentType: string;
  /**
   * Whether waiting may heal a failure. `false` for failures that never heal on their own
   * (missing configuration, unapplied migrations): the gate abandons such an instance at once.
   */
  transient: boolean;
  /** Upper bound for one run; past it the check fails with "timed out after N ms". */
  timeoutMs: number;
  run(signal: AbortSignal): Promise<CheckOutcome>;
}

/** One entry of `checks["<component>:<measurement>"]` in the body. */
export interface CheckEntry {
  status: HealthStatus;
  componentType: string;
  observedValue?: unknown;
  observedUnit?: string;
  /** RFC 3339 time at which the check ran. */
  time: string;
  output?: string;
  /** Present (and `false`) only on a failure that will not heal by waiting. */
  transient?: false;
}

/** The `application/health+json` body. */
export interface HealthBody {
  status: HealthStatus;
  version?: string;
  releaseId?: string;
  serviceId?: string;
  description?: string;
  /** The EC2 instance id (from IMDSv2 or configuration): lets a prober tell which instance answered. */
  instanceId?: string;
  output?: string;
  checks?: Record<string, CheckEntry[]>;
}

export const HEALTH_CONTENT_TYPE = 'application/health+json';
