import type { SsmAdapter } from './ssm';
import { createSecretCache } from './ttl-cache';

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
export interface HealthTokenSource {
  (): Promise<string | undefined>;
  /**
   * The token was sent and the answer named no instance (the app may hold a newer token): read it again at the
   * next use, unless it was read moments ago (see {@link SECRET_MIN_REFRESH_MS}). Says whether it will be.
   */
  refused?(): boolean;
}

/**
 * Default time the launch gate reuses the health token and the state keys (as the AWS Parameters and Secrets
 * Lambda extension's default TTL): a failed use reads them again sooner.
 */
export const DEFAULT_SECRET_CACHE_SECONDS = 300;

/** A cached secret is read again after a failed use only if it was read at least this long ago. */
export const SECRET_MIN_REFRESH_MS = 30_000;

/**
 * The health token from SSM (SecureString, decrypted), cached per container for `cacheSeconds` and read again
 * as soon as an app refuses it ({@link HealthTokenSource.refused}). A configured parameter that does not exist
 * is an error (fail closed), not "no token".
 */
export function createHealthTokenSource(options: {
  ssm: SecretParameterReader;
  parameterName?: string;
  cacheSeconds: number;
  now?: () => number;
}): HealthTokenSource {
  const { parameterName, ssm } = options;
  if (parameterName === undefined) {
    return async () => undefined;
  }
  const cache = createSecretCache({
    load: async () => {
      const { value, readAt } = await readSecretParameter(ssm, parameterName);
      if (value === undefined || value === '') {
        throw new HealthTokenMissingError(parameterName);
      }
      return { value, ...(readAt !== undefined ? { readAt } : {}) };
    },
    ttlMs: options.cacheSeconds * 1000,
    minRefreshMs: SECRET_MIN_REFRESH_MS,
    onDrop: () => ssm.forget?.(parameterName),
    ...(options.now ? { now: options.now } : {}),
  });
  return Object.assign(() => cache.read(), { refused: () => cache.stale() });
}

/** Where a cached secret is read: an SSM adapter, or a reader that shares one answer among several parameters. */
export type SecretParameterReader = Pick<SsmAdapter, 'getParameter'> &
  Partial<Pick<SsmAdapter, 'getParameterEntry'>> & {
    /** Drops a shared answer holding `name`, so the next read asks SSM. */
    forget?(name: string): void;
  };

/** A SecureString's value (decrypted) and, when the reader says, when SSM answered it. */
export async function readSecretParameter(
  ssm: SecretParameterReader,
  name: string,
): Promise<{ value: string | undefined; readAt?: number }> {
  if (!ssm.getParameterEntry) return { value: await ssm.getParameter(name, { decrypt: true }) };
  const entry = await ssm.getParameterEntry(name, { decrypt: true });
  return { value: entry?.value, ...(entry?.readAt !== undefined ? { readAt: entry.readAt } : {}) };
}
