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
export interface CheckOutcome extends CheckOutcomeOverrides {
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

/**
 * How a check's failure may be overridden per outcome: a check may know better than its declaration
 * (a migrations check fails transiently while the database is unreachable, permanently when migrations are pending).
 */
export interface CheckOutcomeOverrides {
  /** Overrides {@link HealthCheck.transient} for this outcome only. */
  transient?: boolean;
}

/** Who this instance is; copied into every body. `instanceId` may be discovered after boot. */
export interface HealthIdentity {
  version?: string;
  releaseId?: string;
  serviceId?: string;
  instanceId?: string;
  description?: string;
}

/** A report ready to serve: the full body and its HTTP status (200 for pass/warn, 503 for fail). */
export interface HealthReport {
  body: HealthBody;
  httpStatus: 200 | 503;
}

/** Runs the checks: single-flight, then cached for a short TTL. */
export interface HealthRunner {
  /** Single-flight + TTL: concurrent callers share one run; within the TTL the cached report is returned. */
  report(): Promise<HealthReport>;
  /**
   * The cached report while it is fresh, without waiting (undefined otherwise: call `report()`). Optional for
   * runners of one's own; with it, a cached answer is served in the same turn as the request.
   */
  cached?(): HealthReport | undefined;
  /** How many times the checks have actually run (observability and tests). */
  readonly runs: number;
}

/** Who may see the details of the body: a shared token in a header, or a source address in a CIDR. */
export interface HealthAuth {
  /** Shared secret; an empty string authorises nobody. */
  token?: string;
  /** Header carrying the token; default `x-health-token`. */
  header?: string;
  /**
   * IPv4 or IPv6 CIDRs by the one CIDR rule (./cidr): a bare address is one host, host bits must be clear, and an
   * IPv4-mapped source (`::ffff:a.b.c.d`) matches IPv4 CIDRs only.
   */
  cidrs?: string[];
}
