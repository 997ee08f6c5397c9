import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, type RawBuilder, sql } from 'kysely';
import pg from 'pg';
import { abortable } from './abortable';
import type { AppSchema } from './schema';
import { sqliteWorkerDialect } from './sqlite-worker-dialect';

/** The two databases the app runs on. */
export const DatabaseKind = { sqlite: 'sqlite', postgres: 'postgres' } as const;
export type DatabaseKind = (typeof DatabaseKind)[keyof typeof DatabaseKind];

/** An open database: the query builder, a ping for the health check, and close. */
export interface AppDatabase {
  kind: DatabaseKind;
  db: Kysely<AppSchema>;
  /** One round trip that reads the database; rejects with `signal`'s reason as soon as it aborts. */
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Where and how to connect. */
export interface DatabaseOptions {
  /** PostgreSQL when set, else SQLite at `sqlitePath`. */
  databaseUrl?: string;
  sqlitePath: string;
  /**
   * Connect and query timeout (PostgreSQL); SQLite: the busy timeout (a lock held elsewhere fails with
   * SQLITE_BUSY after it) and the longest wait for the connection, in ms.
   */
  timeoutMs: number;
  /** Errors of idle pooled connections (a server that went away); they must not crash the process. */
  onIdleError?: (error: Error) => void;
}

/**
 * A SQLite statement waits at most the busy timeout for a lock held elsewhere, twice on a connection's first one
 * (opening also switches the file to WAL): one not back after three busy timeouts is stuck, not waiting.
 */
const SQLITE_STUCK_AFTER_BUSY_TIMEOUTS = 3;

/**
 * Opens the app's database: PostgreSQL (a `pg` pool) when `databaseUrl` is set, otherwise a SQLite file
 * (created with its directory when missing) whose connection lives in a worker thread, so a locked or hung file
 * never blocks the event loop. Nothing connects until the first query.
 *
 * @example
 * const database = openDatabase({ sqlitePath: 'data/healthgate.sqlite', timeoutMs: 2000 });
 */
export function openDatabase(options: DatabaseOptions): AppDatabase {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      connectionTimeoutMillis: options.timeoutMs,
      query_timeout: options.timeoutMs,
      max: 5,
    });
    pool.on('error', (error) => options.onIdleError?.(error));
    const db = new Kysely<AppSchema>({ dialect: new PostgresDialect({ pool }) });
    return wrap('postgres', db, sql`select 1`);
  }
  mkdirSync(path.dirname(options.sqlitePath), { recursive: true });
  const db = new Kysely<AppSchema>({
    dialect: sqliteWorkerDialect({
      file: options.sqlitePath,
      busyTimeoutMs: options.timeoutMs,
      acquireTimeoutMs: options.timeoutMs,
      queryTimeoutMs: options.timeoutMs * SQLITE_STUCK_AFTER_BUSY_TIMEOUTS,
    }),
  });
  // Reads the schema table, so it needs the file's read lock: `select 1` is answered by a connection's cached
  // schema without touching the file, and passes while another process holds the database locked.
  return wrap('sqlite', db, sql`select count(*) from sqlite_master`);
}

function wrap(kind: DatabaseKind, db: Kysely<AppSchema>, pingQuery: RawBuilder<unknown>): AppDatabase {
  let closed: Promise<void> | undefined;
  return {
    kind,
    db,
    async ping(signal) {
      signal?.throwIfAborted();
      await abortable(pingQuery.execute(db), signal);
    },
    close() {
      closed ??= db.destroy();
      return closed;
    },
  };
}
