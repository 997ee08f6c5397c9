// A namespace import: bundlers keep only the parts used (the named `z` object would pull in all of zod).
import * as z from 'zod';
import { DEFAULT_SECRET_CACHE_SECONDS } from '../aws/health-token';
import { DEFAULT_POLICY_CACHE_SECONDS, DEFAULT_POLICY_PREFIX } from '../aws/policy-loader';
import { checkCidr } from '../health';
import { DEFAULT_PROBE_CIDRS } from '../probe/address-guard';
import { ConfigError } from './errors';

// An SSM parameter path: absolute, SSM's own character set, no trailing slash.
const SSM_PATH = /^(\/[A-Za-z0-9_.-]+)+$/;

const cidrList = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const cidrs = value
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '');
    if (cidrs.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'empty CIDR list' });
      return z.NEVER;
    }
    // The one CIDR rule (shared/health/cidr), as the policy's probeCidrs and the probe's guard apply it.
    for (const cidr of cidrs) {
      const check = checkCidr(cidr);
      if (!check.ok) {
        ctx.addIssue({ code: 'custom', message: `invalid CIDR ${JSON.stringify(cidr)}: ${check.reason}` });
        return z.NEVER;
      }
    }
    return cidrs;
  });

/**
 * The environment the functions read, as a zod schema: extend it (`FunctionEnvSchema.extend({...})`) for a
 * handler's own keys rather than reading `process.env` elsewhere.
 */
export const FunctionEnvSchema = z.object({
  /** SSM prefix of the group policies: `<prefix>/<asg-name>/policy`. */
  POLICY_PREFIX: z
    .string()
    .trim()
    .regex(SSM_PATH, 'must be an SSM path like /healthgate (no trailing slash)')
    .default(DEFAULT_POLICY_PREFIX),
  /** How long a warm container reuses a loaded policy; 0 disables the cache. */
  POLICY_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(DEFAULT_POLICY_CACHE_SECONDS),
  /**
   * How long the launch gate's container reuses the health token and the state keys; each is read again at once
   * when using it fails (an app refusing the token, a seal by an unknown key). 0 disables the cache.
   */
  SECRET_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(DEFAULT_SECRET_CACHE_SECONDS),
  /**
   * Comma-separated CIDRs the gate may probe when a policy names none (default RFC 1918); spaces around the commas
   * are allowed, each entry follows the one CIDR rule (shared/health/cidr).
   */
  PROBE_CIDRS: cidrList.optional(),
  /** SSM parameter (SecureString) holding the token that unlocks the detailed /health body; unset: none sent. */
  HEALTH_TOKEN_PARAMETER: z
    .string()
    .trim()
    .regex(SSM_PATH, 'must be an SSM parameter name like /healthgate/health-token')
    .optional(),
  /** The queue the launch gate schedules its next steps on (its own event source); the launch gate needs it. */
  STEP_QUEUE_URL: z.url({ protocol: /^https?$/, error: 'must be an SQS queue URL (https://…)' }).optional(),
  /**
   * SSM parameter (SecureString) with the secret(s) that seal the launch gate's carried state, one per line, the
   * first sealing; unset: no state is sealed and carried passes never count. Only the launch gate may read it.
   */
  STATE_KEY_PARAMETER: z
    .string()
    .trim()
    .regex(SSM_PATH, 'must be an SSM parameter name like /healthgate-gate/state-key')
    .optional(),
  /** Header that carries the health token. */
  HEALTH_TOKEN_HEADER: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
    .default('x-health-token'),
});

/** The functions' configuration, typed. */
export interface FunctionConfig {
  policyPrefix: string;
  policyCacheSeconds: number;
  /** The launch gate's cache of the health token and the state keys. */
  secretCacheSeconds: number;
  probeCidrs: readonly string[];
  /** Undefined when no health token is configured. */
  healthTokenParameter?: string;
  healthTokenHeader: string;
  /** Undefined when no state key is configured. */
  stateKeyParameter?: string;
  /** The steps queue; only the launch gate needs it (see {@link requireStepQueueUrl}). */
  stepQueueUrl?: string;
}

/**
 * Reads and validates the functions' configuration once, failing fast with a {@link ConfigError} naming the key.
 *
 * @example
 * const config = loadFunctionConfig(); // at module scope: a bad value fails the cold start, not an event
 */
export function loadFunctionConfig(env: Record<string, string | undefined> = process.env): FunctionConfig {
  const env_ = parseEnv(FunctionEnvSchema, env);
  const config: FunctionConfig = {
    policyPrefix: env_.POLICY_PREFIX,
    policyCacheSeconds: env_.POLICY_CACHE_SECONDS,
    secretCacheSeconds: env_.SECRET_CACHE_SECONDS,
    probeCidrs: env_.PROBE_CIDRS ?? DEFAULT_PROBE_CIDRS,
    healthTokenHeader: env_.HEALTH_TOKEN_HEADER,
  };
  if (env_.HEALTH_TOKEN_PARAMETER !== undefined) {
    config.healthTokenParameter = env_.HEALTH_TOKEN_PARAMETER;
  }
  if (env_.STATE_KEY_PARAMETER !== undefined) {
    const policyPath = `${env_.POLICY_PREFIX.replace(/\/+$/, '')}/`;
    if (env_.STATE_KEY_PARAMETER.startsWith(policyPath)) {
      // Every function reads policies under that prefix: a key there would not be the launch gate's alone.
      throw new ConfigError(
        `invalid configuration: STATE_KEY_PARAMETER: must lie outside POLICY_PREFIX (${env_.POLICY_PREFIX}), which every function may read`,
        'STATE_KEY_PARAMETER',
      );
    }
    config.stateKeyParameter = env_.STATE_KEY_PARAMETER;
  }
  if (env_.STEP_QUEUE_URL !== undefined) config.stepQueueUrl = env_.STEP_QUEUE_URL;
  return config;
}

/** The steps queue's URL, which the launch gate cannot run without. @throws {ConfigError} naming STEP_QUEUE_URL. */
export function requireStepQueueUrl(config: FunctionConfig): string {
  if (config.stepQueueUrl === undefined) {
    throw new ConfigError(
      'invalid configuration: STEP_QUEUE_URL: required by the launch gate (the queue its steps are scheduled on)',
      'STEP_QUEUE_URL',
    );
  }
  return config.stepQueueUrl;
}

/**
 * Parses `env` with any object schema (e.g. an extension of {@link FunctionEnvSchema}); an empty string counts as
 * unset, so defaults apply. Throws {@link ConfigError} naming the first bad key.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') {
      relevant[key] = value;
    }
  }
  const result = schema.safeParse(relevant);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`invalid configuration: ${key}: ${issue?.message ?? 'invalid'}`, key, {
      cause: result.error,
    });
  }
  return result.data;
}
