/**
 * A group's gate policy: JSON stored in SSM at `/healthgate/<asg-name>/policy`, every field optional, unknown
 * fields rejected. Parsing is pure; loading lives in shared/aws.
 */
// A namespace import: bundlers keep only the parts used (the named `z` object would pull in all of zod).
import * as z from 'zod';
import { checkCidr } from '../health';
import { PolicyError, type PolicyIssue } from './errors';

/** What the gate does while in-service instances fail the same shared checks as the canary. */
export const SharedOutageMode = {
  /** Keep waiting for the dependency to recover; ABANDON `DEADLINE_EXCEEDED` at the deadline. */
  wait: 'wait',
  /** ABANDON `SHARED_OUTAGE` at once. */
  abandon: 'abandon',
} as const;
export type SharedOutageMode = (typeof SharedOutageMode)[keyof typeof SharedOutageMode];

/** Bounds of the policy's fields (documented in docs/gate-and-policy.md). */
export const POLICY_LIMITS = {
  minIntervalSeconds: 0.1,
  maxIntervalSeconds: 300,
  minTimeoutSeconds: 0.05,
  maxTimeoutSeconds: 120,
  minHealthyThreshold: 2,
  /** Also the length of the probe history a {@link GateState} keeps. */
  maxHealthyThreshold: 20,
  /** Auto Scaling's longest lifecycle action: 48 hours. */
  maxDeadlineSeconds: 172_800,
  maxLbVerifySeconds: 7_200,
  maxAbandonsPerVersion: 100,
  maxPathLength: 1_024,
  maxProbeCidrs: 50,
  maxSharedChecks: 50,
} as const;

/** The effective policy: every field resolved. */
export interface Policy {
  /** Path of the deep health endpoint (may carry a query string). */
  path: string;
  port: number;
  /** Time between the starts of two probes. */
  intervalSeconds: number;
  /** One probe's time limit; less than `intervalSeconds`. */
  timeoutSeconds: number;
  /** Consecutive passing probes from the expected instance needed to CONTINUE. */
  healthyThreshold: number;
  /** From the start of the lifecycle action; at or past it the gate ABANDONs. */
  deadlineSeconds: number;
  /** After CONTINUE, how long the load balancer has to judge the instance healthy. */
  lbVerifySeconds: number;
  onSharedOutage: SharedOutageMode;
  /** Abandons of one version after which the rollout stops instead of launching again. */
  maxAbandonsPerVersion: number;
  /** The only address ranges the gate probes: IPv4/IPv6 CIDRs or bare addresses, by shared/health/cidr's rule. */
  probeCidrs: readonly string[];
  /**
   * Check names treated as shared dependencies in addition to checks whose `componentType` is `datastore` or
   * `shared`: when the canary fails only on such checks, in-service instances are probed for comparison.
   */
  sharedChecks: readonly string[];
}

/** A policy as written by a user: the same fields, each optional. */
export type PolicyInput = Partial<Policy>;

/** The fields a policy may set. */
export type PolicyField = keyof Policy;

/** RFC 1918 private IPv4 ranges: where instances of a VPC live. */
export const PRIVATE_IPV4_CIDRS: readonly string[] = Object.freeze([
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
]);

/** The defaults every unset field takes. */
export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  path: '/health',
  port: 80,
  intervalSeconds: 5,
  timeoutSeconds: 3,
  healthyThreshold: 3,
  deadlineSeconds: 600,
  lbVerifySeconds: 300,
  onSharedOutage: SharedOutageMode.wait,
  maxAbandonsPerVersion: 3,
  probeCidrs: PRIVATE_IPV4_CIDRS,
  sharedChecks: Object.freeze([]) as readonly string[],
});

const L = POLICY_LIMITS;

const seconds = (min: number, max: number) =>
  z
    .number({ error: (i) => `must be a number of seconds, got ${describeValue(i.input)}` })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const integer = (min: number, max: number) =>
  z
    .number({ error: (i) => `must be an integer, got ${describeValue(i.input)}` })
    .int({ error: 'must be an integer' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

/**
 * The path a probe requests: absolute, printable, no fragment. Shared with the load-balancer merge, which
 * validates a path taken from the load balancer's target the same way.
 */
export const pathSchema = z
  .string({ error: (i) => `must be a string, got ${describeValue(i.input)}` })
  .max(L.maxPathLength, { error: `must be at most ${L.maxPathLength} characters` })
  .regex(/^\/[\x21-\x7e]*$/, { error: "must start with '/' and contain no spaces or control characters" })
  .refine((p) => !p.includes('#'), { error: "must not contain a fragment ('#')" });

const policySchema = z
  .strictObject({
    path: pathSchema,
    port: integer(1, 65_535),
    intervalSeconds: seconds(L.minIntervalSeconds, L.maxIntervalSeconds),
    timeoutSeconds: seconds(L.minTimeoutSeconds, L.maxTimeoutSeconds),
    healthyThreshold: integer(L.minHealthyThreshold, L.maxHealthyThreshold),
    deadlineSeconds: seconds(1, L.maxDeadlineSeconds),
    lbVerifySeconds: seconds(1, L.maxLbVerifySeconds),
    onSharedOutage: z.enum(SharedOutageMode, {
      error: (i) =>
        `must be one of ${Object.values(SharedOutageMode)
          .map((m) => `'${m}'`)
          .join(', ')} (a failing canary is never continued), got ${describeValue(i.input)}`,
    }),
    maxAbandonsPerVersion: integer(1, L.maxAbandonsPerVersion),
    probeCidrs: z
      .array(
        z
          .string({ error: (i) => `must be a CIDR string, got ${describeValue(i.input)}` })
          // The one CIDR rule (shared/health/cidr), as PROBE_CIDRS and the probe's address guard apply it.
          .superRefine((cidr, ctx) => {
            const check = checkCidr(cidr);
            if (!check.ok) {
              ctx.addIssue({
                code: 'custom',
                message: `must be an IPv4 or IPv6 CIDR such as 10.0.0.0/8 (${check.reason}), got ${describeValue(cidr)}`,
              });
            }
          }),
        { error: (i) => `must be an array of CIDRs, got ${describeValue(i.input)}` },
      )
      .min(1, { error: 'must name at least one range (an empty list would allow probing nothing)' })
      .max(L.maxProbeCidrs, { error: `must name at most ${L.maxProbeCidrs} ranges` }),
    sharedChecks: z
      .array(
        z
          .string({ error: (i) => `must be a check name, got ${describeValue(i.input)}` })
          .min(1, { error: 'must not be empty' })
          .max(200, { error: 'must be at most 200 characters' }),
        { error: (i) => `must be an array of check names, got ${describeValue(i.input)}` },
      )
      .max(L.maxSharedChecks, { error: `must name at most ${L.maxSharedChecks} checks` }),
  })
  .partial();

/**
 * Validates a user's policy without applying defaults: the fields it sets, checked one by one (types, bounds,
 * unknown fields). `undefined` (no parameter stored) is the empty policy. Cross-field rules need the defaults,
 * so they run in {@link parsePolicy} and {@link mergeWithLbSettings}.
 *
 * Use it as the SSM loader's `parse` so that {@link mergeWithLbSettings} knows which fields were explicit.
 *
 * @throws {PolicyError} naming each bad or unknown field.
 */
export function parsePolicyInput(json: unknown): PolicyInput {
  if (json === undefined) {
    return {};
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PolicyError([
      { field: '(policy)', message: `must be a JSON object, got ${describeValue(json)}` },
    ]);
  }
  const result = policySchema.safeParse(json);
  if (!result.success) {
    throw new PolicyError(toIssues(result.error.issues), { cause: result.error });
  }
  // zod's partial() output admits explicit `undefined`; strip it so "set" means "present".
  return Object.fromEntries(Object.entries(result.data).filter(([, v]) => v !== undefined)) as PolicyInput;
}

/**
 * The effective policy of a user's policy JSON: fields validated, defaults applied, cross-field rules checked
 * (`timeoutSeconds < intervalSeconds`, `deadlineSeconds > intervalSeconds × healthyThreshold`).
 *
 * @throws {PolicyError} naming each bad or unknown field.
 * @example
 * parsePolicy({ port: 8080, healthyThreshold: 5 }); // → { ...DEFAULT_POLICY, port: 8080, healthyThreshold: 5 }
 * parsePolicy({ intervalSecs: 5 }); // throws PolicyError: "invalid policy: intervalSecs: unknown field"
 */
export function parsePolicy(json: unknown): Policy {
  const input = parsePolicyInput(json);
  const policy = resolvePolicy(input);
  const issues = crossFieldIssues(policy, input);
  if (issues.length > 0) {
    throw new PolicyError(issues);
  }
  return policy;
}

/** Applies the defaults to a validated input (no checks). */
export function resolvePolicy(input: PolicyInput): Policy {
  return { ...DEFAULT_POLICY, ...input };
}

/**
 * The cross-field rules of an effective policy. `input` tells which values were set by the user, so a message
 * can say a value is the default; `origin` annotates values that came from elsewhere (the load balancer).
 */
export function crossFieldIssues(
  policy: Policy,
  input: PolicyInput,
  origin: Partial<Record<PolicyField, string>> = {},
): PolicyIssue[] {
  const show = (field: PolicyField) => {
    const value = policy[field];
    const note = origin[field] ?? (field in input ? undefined : 'default');
    return note ? `${field} ${String(value)} (${note})` : `${field} ${String(value)}`;
  };
  const issues: PolicyIssue[] = [];
  if (!(policy.timeoutSeconds < policy.intervalSeconds)) {
    issues.push({
      field: 'timeoutSeconds',
      message: `must be less than intervalSeconds: ${show('timeoutSeconds')} ≥ ${show('intervalSeconds')}`,
    });
  }
  const minimum = policy.intervalSeconds * policy.healthyThreshold;
  if (!(policy.deadlineSeconds > minimum)) {
    issues.push({
      field: 'deadlineSeconds',
      message:
        `must exceed intervalSeconds × healthyThreshold (${minimum} s) so the threshold can be met: ` +
        `${show('deadlineSeconds')}, ${show('intervalSeconds')}, ${show('healthyThreshold')}`,
    });
  }
  return issues;
}

function toIssues(issues: readonly z.core.$ZodIssue[]): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ field: key, message: `unknown field (known: ${Object.keys(DEFAULT_POLICY).join(', ')})` });
      }
      continue;
    }
    out.push({ field: fieldName(issue.path), message: issue.message });
  }
  return out;
}

function fieldName(path: readonly PropertyKey[]): string {
  if (path.length === 0) {
    return '(policy)';
  }
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/** A short, safe rendering of a bad value for an error message. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    const s = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(s);
  }
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
