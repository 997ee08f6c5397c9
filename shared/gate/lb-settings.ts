/**
 * Merges a group's policy with its load balancers' health-check settings, so the gate probes what the load
 * balancer will judge and is at least as strict. Pure: the settings are read elsewhere.
 */
import { PolicyError, type PolicyIssue } from './errors';
import {
  crossFieldIssues,
  DEFAULT_POLICY,
  POLICY_LIMITS,
  type Policy,
  type PolicyField,
  type PolicyInput,
  pathSchema,
} from './policy';

/** One load balancer's health-check settings (classic load balancer or target group). */
export interface LbHealthCheckSettings {
  /** Load balancer name or target group ARN, named in messages. */
  source: string;
  /** `HTTP`, `HTTPS`, `TCP`, `SSL`, … */
  protocol: string;
  port?: number;
  path?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  healthyThreshold?: number;
  /** Why the load balancer's check cannot be read (its target or port is malformed): the policy is invalid. */
  malformed?: string;
}

/**
 * The effective policy of `input` (validated, as from `parsePolicyInput`) and the group's load balancers.
 * Fields set in `input` always win. For the others:
 * - `path` and `port` come from the first plain-HTTP check (the gate probes over HTTP, so HTTPS, TCP and SSL
 *   checks lend no target);
 * - `healthyThreshold` is the highest of the default and every load balancer's (capped at the policy limit);
 * - `timeoutSeconds` is the lowest of the default and every load balancer's (at least the policy minimum).
 *
 * The probe interval stays the policy's: the gate probes more often than a load balancer to decide sooner.
 *
 * @throws {PolicyError} when a merged value is out of bounds or breaks a cross-field rule (the message says
 *   which values came from which load balancer).
 */
export function mergeWithLbSettings(input: PolicyInput, checks: readonly LbHealthCheckSettings[]): Policy {
  const policy: Policy = { ...DEFAULT_POLICY, ...input };
  const origin: Partial<Record<PolicyField, string>> = {};
  const issues: PolicyIssue[] = [];
  const from = (check: LbHealthCheckSettings) => `from load balancer ${check.source}`;

  // One rule for every kind of load balancer: a check that cannot be read is never ignored (the gate would then be
  // less strict than the load balancer it stands in for), and every port must be one.
  for (const check of checks) {
    if (check.malformed !== undefined) {
      issues.push({ field: 'port', message: `${from(check)}: ${check.malformed}` });
    } else if (
      check.port !== undefined &&
      !(Number.isInteger(check.port) && check.port >= 1 && check.port <= 65_535)
    ) {
      issues.push({ field: 'port', message: `${from(check)}: must be an integer from 1 to 65535` });
    }
  }
  const http = checks.find((c) => c.malformed === undefined && c.protocol.toUpperCase() === 'HTTP');
  if (http && !('path' in input) && http.path !== undefined) {
    const parsed = pathSchema.safeParse(http.path);
    if (parsed.success) {
      policy.path = parsed.data;
      origin.path = from(http);
    } else {
      issues.push({
        field: 'path',
        message: `${from(http)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      });
    }
  }
  if (http && !('port' in input) && http.port !== undefined && issues.length === 0) {
    policy.port = http.port;
    origin.port = from(http);
  }
  if (!('healthyThreshold' in input)) {
    for (const check of checks) {
      const value = check.healthyThreshold;
      if (value !== undefined && Number.isInteger(value) && value > policy.healthyThreshold) {
        policy.healthyThreshold = Math.min(value, POLICY_LIMITS.maxHealthyThreshold);
        origin.healthyThreshold = from(check);
      }
    }
  }
  if (!('timeoutSeconds' in input)) {
    for (const check of checks) {
      const value = check.timeoutSeconds;
      if (value !== undefined && Number.isFinite(value) && value < policy.timeoutSeconds) {
        policy.timeoutSeconds = Math.max(value, POLICY_LIMITS.minTimeoutSeconds);
        origin.timeoutSeconds = from(check);
      }
    }
  }

  issues.push(...crossFieldIssues(policy, input, origin));
  if (issues.length > 0) {
    throw new PolicyError(issues);
  }
  return policy;
}

/**
 * The policy the gate probes with, and the rollback check too (one answer for both): the group's policy as
 * written, `defaultProbeCidrs` when it names no ranges, merged with its load balancers' health checks.
 *
 * @throws {PolicyError} as {@link mergeWithLbSettings}.
 */
export function effectivePolicy(
  input: PolicyInput,
  options: { defaultProbeCidrs: readonly string[]; lbChecks: readonly LbHealthCheckSettings[] },
): Policy {
  const withRanges =
    input.probeCidrs === undefined ? { ...input, probeCidrs: options.defaultProbeCidrs } : input;
  return mergeWithLbSettings(withRanges, options.lbChecks);
}
