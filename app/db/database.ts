import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { AppSchema } from './schema';

/** The two databases the app runs on. */
export const DatabaseKind = { sqlite: 'sqlite', postgres: 'postgres' } as const;
export type DatabaseKind = (typeof DatabaseKind)[keyof typeof DatabaseKind];

/** An open database: the query builder, a ping for the health check, and close. */
export interface AppDatabase {
  kind: DatabaseKind;
  db: Kysely<AppSchema>;
  /** One round trip (`select 1`). */
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Where and how to connect. */
export interface DatabaseOptions {
  /** PostgreSQL when set, else SQLite at `sqlitePath`. */
  databaseUrl?: string;
  sqlitePath: string;
  /** Connect and query timeout (PostgreSQL), busy timeout (SQLite), in ms. */
  timeoutMs: number;
  /** Errors of idle pooled connections (a server that went away); they must not crash the process. */
  onIdleError?: (error: Error) => void;
}

/**
 * Opens the app's database: PostgreSQL (a `pg` pool) when `databaseUrl` is set, otherwise a SQLite file
 * (created with its directory when missing). Nothing connects to PostgreSQL until the first query.
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
    return wrap('postgres', db);
  }
  mkdirSync(path.dirname(options.sqlitePath), { recursive: true });
  const database = new SQLite(options.sqlitePath, { timeout: options.timeoutMs });
  database.pragma('journal_mode = WAL');
  const db = new Kysely<AppSchema>({ dialect: new SqliteDialect({ database }) });
  return wrap('sqlite', db);
}

function wrap(kind: DatabaseKind, db: Kysely<AppSchema>): AppDatabase {
  let closed: Promise<void> | undefined;
  return {
    kind,
    db,
    async ping(signal) {
      signal?.throwIfAborted();
      await sql`select 1`.execute(db);
    },
    close() {
      closed ??= db.destroy();
      return closed;
    },
  };
}
