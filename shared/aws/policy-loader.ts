import { PolicyInvalidError } from './errors';
import type { SsmAdapter } from './ssm';
import { createTtlCache } from './ttl-cache';

/** Default SSM prefix of the policies: `/healthgate/<asg-name>/policy`. */
export const DEFAULT_POLICY_PREFIX = '/healthgate';
/** Default time a loaded policy is reused by a warm container. */
export const DEFAULT_POLICY_CACHE_SECONDS = 60;

/** Options of {@link createPolicyLoader}. */
export interface PolicyLoaderOptions<P> {
  /** Reads the parameter decrypted: a policy may be stored as a SecureString. */
  ssm: Pick<SsmAdapter, 'getParameterEntry'>;
  /**
   * Validates the parsed JSON and returns the policy (the gate's policy schema); throws to reject it.
   * Unknown fields should be rejected there, not ignored.
   */
  parse: (value: unknown) => P;
  /** Default {@link DEFAULT_POLICY_PREFIX}. */
  prefix?: string;
  /** Default {@link DEFAULT_POLICY_CACHE_SECONDS}; 0 reads SSM on every load. */
  cacheSeconds?: number;
  /** Milliseconds clock; default `Date.now`. */
  now?: () => number;
}

/** A group's policy as stored: `policy` is undefined when no parameter exists (the code's defaults apply). */
export interface LoadedPolicy<P> {
  parameterName: string;
  policy: P | undefined;
}

/** Loads groups' policies from SSM, cached per container. */
export interface PolicyLoader<P> {
  /**
   * The group's policy. Throws {@link PolicyInvalidError} when the parameter is not JSON or `parse` rejects it
   * (fail closed: a broken policy is never replaced by defaults), and an AwsCallError when SSM fails.
   */
  load(groupName: string): Promise<LoadedPolicy<P>>;
  clear(): void;
}

/** What kind of syntax error JSON.parse found, without the excerpt of the input its message carries. */
function syntaxErrorKind(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (/Unexpected end of JSON input/.test(message)) return 'it ends too early';
  const position = /position (\d+)/.exec(message)?.[1];
  return position === undefined ? 'unexpected character' : `unexpected character at position ${position}`;
}

/** The SSM parameter holding a group's policy. */
export function policyParameterName(prefix: string, groupName: string): string {
  return `${prefix.replace(/\/+$/, '')}/${groupName}/policy`;
}

/**
 * A policy loader with a per-container TTL cache, so repeated invocations in a warm Lambda do not refetch.
 *
 * @example
 * const policies = createPolicyLoader({ ssm: createSsmAdapter(), parse: (v) => PolicySchema.parse(v) });
 * const { policy } = await policies.load('web-blue');
 */
export function createPolicyLoader<P>(options: PolicyLoaderOptions<P>): PolicyLoader<P> {
  const prefix = options.prefix ?? DEFAULT_POLICY_PREFIX;
  const cache = createTtlCache<LoadedPolicy<P>>({
    ttlMs: (options.cacheSeconds ?? DEFAULT_POLICY_CACHE_SECONDS) * 1000,
    now: options.now,
  });

  const fetchPolicy = async (groupName: string): Promise<LoadedPolicy<P>> => {
    const parameterName = policyParameterName(prefix, groupName);
    // Decrypted: read without it, a SecureString policy is its ciphertext and every launch would be abandoned.
    const entry = await options.ssm.getParameterEntry(parameterName, { decrypt: true });
    if (entry === undefined) {
      return { parameterName, policy: undefined };
    }
    const what = `policy parameter ${parameterName} (${entry.type ?? 'type not reported'})`;
    let json: unknown;
    try {
      json = JSON.parse(entry.value);
    } catch (error) {
      // JSON.parse's message quotes the start of its input, which may be a secret: it is not passed on.
      throw new PolicyInvalidError(`${what} is not JSON (${syntaxErrorKind(error)})`, {
        parameterName,
        groupName,
      });
    }
    try {
      return { parameterName, policy: options.parse(json) };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new PolicyInvalidError(
        `${what} is JSON but not a valid policy: ${detail}`,
        { parameterName, groupName },
        {
          cause: error,
        },
      );
    }
  };

  return {
    load: (groupName) => cache.get(groupName, () => fetchPolicy(groupName)),
    clear: () => cache.clear(),
  };
}
