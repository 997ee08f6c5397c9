import type { SsmAdapter } from './ssm';
import { createTtlCache } from './ttl-cache';

/** The health token is configured but its SSM parameter does not exist: the gate cannot see identities. */
export class HealthTokenMissingError extends Error {
  override readonly name = 'HealthTokenMissingError';
  constructor(readonly parameterName: string) {
    super(
      `health token parameter ${parameterName} does not exist: without it /health answers status only and no instance can be verified`,
    );
  }
}

/** Reads the token that unlocks the detailed /health body; `undefined` when none is configured. */
export type HealthTokenSource = () => Promise<string | undefined>;

/**
 * The health token from SSM (SecureString, decrypted), cached per container like the policies.
 * A configured parameter that does not exist is an error (fail closed), not "no token".
 */
export function createHealthTokenSource(options: {
  ssm: Pick<SsmAdapter, 'getParameter'>;
  parameterName?: string;
  cacheSeconds: number;
  now?: () => number;
}): HealthTokenSource {
  const { parameterName } = options;
  if (parameterName === undefined) {
    return async () => undefined;
  }
  const cache = createTtlCache<string>({ ttlMs: options.cacheSeconds * 1000, now: options.now });
  return () =>
    cache.get(parameterName, async () => {
      const value = await options.ssm.getParameter(parameterName, { decrypt: true });
      if (value === undefined || value === '') {
        throw new HealthTokenMissingError(parameterName);
      }
      return value;
    });
}
