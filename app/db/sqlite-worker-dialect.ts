import { E_CANCELED, E_TIMEOUT, Mutex, type MutexInterface, withTimeout } from 'async-mutex';
import {
  CompiledQuery,
  createQueryId,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  IdentifierNode,
  type QueryCompiler,
  type QueryResult,
  RawNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { SqliteWorkerError, SqliteWorkerFailure } from './sqlite-errors';
import { type SqliteWorker, startSqliteWorker } from './sqlite-worker';

/** Options of {@link sqliteWorkerDialect}. */
export interface SqliteWorkerDialectConfig {
  file: string;
  /** SQLite's busy timeout: how long a statement waits for a lock held elsewhere before SQLITE_BUSY. */
  busyTimeoutMs: number;
  /**
   * How long a caller waits for one statement's reply. Past it the statement counts as stuck and every query
   * fails at once (`hung`) until it returns; keep it above the busy timeout, or a lock wait counts as stuck.
   */
  queryTimeoutMs: number;
  /** How long a caller waits for the single connection while other queries (or a transaction) hold it. */
  acquireTimeoutMs: number;
  /** How long closing waits for the statements already sent; default `queryTimeoutMs`. */
  closeTimeoutMs?: number;
}

/**
 * kysely's SQLite dialect with the connection in a worker thread (see {@link startSqliteWorker}), so no SQLite
 * call runs on the event loop. Written here rather than taken from npm: the packages that do this
 * (kysely-sqlite-worker, kysely-generic-sqlite) bound no query and never notice a stuck or dead worker, so a
 * caller would wait forever, the very failure this exists to prevent.
 *
 * Like kysely's own SQLite driver it has one connection, taken by one query or transaction at a time; unlike it,
 * every wait is bounded: for the connection (`acquireTimeoutMs`), for a lock (`busyTimeoutMs`, then
 * SQLITE_BUSY) and for a reply (`queryTimeoutMs`). A worker that died is replaced by the next query.
 *
 * @example
 * const db = new Kysely<AppSchema>({
 *   dialect: sqliteWorkerDialect({ file, busyTimeoutMs: 2000, acquireTimeoutMs: 2000, queryTimeoutMs: 6000 }),
 * });
 */
export function sqliteWorkerDialect(config: SqliteWorkerDialectConfig): Dialect {
  return {
    createDriver: () => createSqliteWorkerDriver(config),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  };
}

interface Lease {
  worker: SqliteWorker;
  release: MutexInterface.Releaser;
}

function createSqliteWorkerDriver(config: SqliteWorkerDialectConfig): Driver {
  const mutex = withTimeout(new Mutex(), config.acquireTimeoutMs);
  const leases = new WeakMap<DatabaseConnection, Lease>();
  let worker: SqliteWorker | undefined;
  let closed = false;

  /** Fails at once while a statement is stuck: anything sent now would only queue behind it in the thread. */
  function assertUsable(): void {
    if (closed) {
      throw new SqliteWorkerError('database is closed', SqliteWorkerFailure.closed);
    }
    const stuck = worker?.stuckForMs();
    if (stuck !== undefined) {
      const ms = Math.round(stuck);
      throw new SqliteWorkerError(
        `SQLite worker is stuck: a query has not returned for ${ms} ms`,
        SqliteWorkerFailure.hung,
        ms,
      );
    }
  }

  function liveWorker(): SqliteWorker {
    if (worker === undefined || !worker.alive) {
      worker = startSqliteWorker(config);
    }
    return worker;
  }

  function connectionOn(leased: SqliteWorker): DatabaseConnection {
    return {
      executeQuery: <R>(compiled: CompiledQuery) =>
        leased.query(compiled.sql, compiled.parameters) as Promise<QueryResult<R>>,
      // The rows cross the thread in one message; a stream over them keeps kysely's `.stream()` working.
      async *streamQuery<R>(compiled: CompiledQuery, chunkSize = 1) {
        const { rows } = (await leased.query(compiled.sql, compiled.parameters)) as QueryResult<R>;
        for (let i = 0; i < rows.length; i += chunkSize) {
          yield { rows: rows.slice(i, i + chunkSize) };
        }
      },
    };
  }

  const execute = (connection: DatabaseConnection, sql: string) =>
    connection.executeQuery(CompiledQuery.raw(sql)).then(() => undefined);
  const savepointCommand =
    (command: string) =>
    async (
      connection: DatabaseConnection,
      savepointName: string,
      compileQuery: QueryCompiler['compileQuery'],
    ) => {
      const node = RawNode.createWithChildren([
        RawNode.createWithSql(`${command} `),
        IdentifierNode.create(savepointName),
      ]);
      await connection.executeQuery(compileQuery(node, createQueryId()));
    };

  return {
    // The thread starts with the first query: a database locked at boot must not stop the app from starting.
    init: async () => {},
    async acquireConnection() {
      assertUsable();
      let release: MutexInterface.Releaser;
      try {
        release = await mutex.acquire();
      } catch (error) {
        if (error === E_TIMEOUT) {
          throw new SqliteWorkerError(
            `SQLite connection stayed busy for ${config.acquireTimeoutMs} ms`,
            SqliteWorkerFailure.connectionTimeout,
            config.acquireTimeoutMs,
          );
        }
        if (error === E_CANCELED) {
          throw new SqliteWorkerError('database is closed', SqliteWorkerFailure.closed);
        }
        throw error;
      }
      try {
        // Checked again: the query this one waited behind may be the one that got stuck.
        assertUsable();
        const leased = liveWorker();
        const connection = connectionOn(leased);
        leases.set(connection, { worker: leased, release });
        return connection;
      } catch (error) {
        release();
        throw error;
      }
    },
    async releaseConnection(connection) {
      leases.get(connection)?.release();
      leases.delete(connection);
    },
    beginTransaction: (connection) => execute(connection, 'begin'),
    commitTransaction: (connection) => execute(connection, 'commit'),
    async rollbackTransaction(connection) {
      // A transaction dies with its connection: SQLite discards it, and the caller's own error says more.
      if (leases.get(connection)?.worker.alive === false) {
        return;
      }
      await execute(connection, 'rollback');
    },
    savepoint: savepointCommand('savepoint'),
    rollbackToSavepoint: savepointCommand('rollback to'),
    releaseSavepoint: savepointCommand('release'),
    async destroy() {
      closed = true;
      mutex.cancel();
      await worker?.close(config.closeTimeoutMs ?? config.queryTimeoutMs);
    },
  };
}
