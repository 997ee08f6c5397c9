import { type LocalPostgres, startLocalPostgres } from '../../sim/postgres';

/** A running throwaway PostgreSQL cluster on 127.0.0.1 (see sim/postgres.ts). */
export type TestPostgres = LocalPostgres;

/** Starts a throwaway PostgreSQL cluster on 127.0.0.1; throws with the server's own log when it cannot. */
export const startPostgres = startLocalPostgres;

/**
 * Starts PostgreSQL for a test file, or explains why not. Outside CI a machine that cannot run it skips the
 * PostgreSQL tests with the reason; in CI (`CI` set in `env`) the failure is rethrown so the suite fails,
 * never skips.
 */
export async function startPostgresOrSkipReason(
  start: () => Promise<TestPostgres> = startPostgres,
  env: Record<string, string | undefined> = process.env,
): Promise<{ server?: TestPostgres; skipReason?: string }> {
  try {
    return { server: await start() };
  } catch (error) {
    if (env.CI) {
      throw error;
    }
    return { skipReason: `PostgreSQL unavailable: ${(error as Error).message.split('\n')[0]}` };
  }
}
