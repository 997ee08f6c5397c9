import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { QueryResult } from 'kysely';
import { SqliteQueryError, SqliteWorkerError, SqliteWorkerFailure } from './sqlite-errors';
import {
  SQLITE_WORKER_SOURCE,
  type SqliteWorkerData,
  type SqliteWorkerReply,
  type SqliteWorkerRequest,
} from './sqlite-worker-source';

/** Options of {@link startSqliteWorker}. */
export interface SqliteWorkerOptions {
  file: string;
  /** SQLite's busy timeout: how long a statement waits for a lock held elsewhere before SQLITE_BUSY. */
  busyTimeoutMs: number;
  /** How long the main thread waits for one query's reply before it gives up on it. */
  queryTimeoutMs: number;
  /** Monotonic clock in ms; default `performance.now`. */
  now?: () => number;
}

/** One worker thread owning one SQLite connection; queries run there, in order, never on the caller's thread. */
export interface SqliteWorker {
  /** Runs one statement; rejects with {@link SqliteQueryError} (SQLite's refusal) or {@link SqliteWorkerError}. */
  query(sql: string, parameters: readonly unknown[]): Promise<QueryResult<unknown>>;
  /**
   * How long the oldest query given up at its deadline has been running, in ms; `undefined` when none is. The
   * worker runs one statement at a time, so anything sent meanwhile would wait behind it.
   */
  stuckForMs(): number | undefined;
  /** False once the thread has exited. */
  readonly alive: boolean;
  /**
   * Closes the connection after the queries already sent, and waits up to `graceMs` for the thread to exit.
   * A thread still inside a SQLite call then is told to terminate and left to finish it: termination only takes
   * effect when the call returns, and waiting for it could take as long as the call.
   */
  close(graceMs: number): Promise<void>;
}

interface Waiting {
  resolve: (result: QueryResult<unknown>) => void;
  reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

const requireFromHere = createRequire(import.meta.url);

/**
 * Starts a worker thread that owns a better-sqlite3 connection to `file`. better-sqlite3 is synchronous: on the
 * main thread, a statement waiting for a lock or a slow disk blocks the event loop, so no timer (the health
 * checks' timeouts) and no other request (`/health/live`) could run meanwhile. Here the main thread only posts
 * messages and awaits replies, each bounded by `queryTimeoutMs`.
 *
 * @example
 * const worker = startSqliteWorker({ file: 'data/app.sqlite', busyTimeoutMs: 2000, queryTimeoutMs: 6000 });
 * const { rows } = await worker.query('select count(*) as n from tariffs', []);
 * await worker.close(6000);
 */
export function startSqliteWorker(options: SqliteWorkerOptions): SqliteWorker {
  const now = options.now ?? (() => performance.now());
  const workerData: SqliteWorkerData = {
    driverPath: requireFromHere.resolve('better-sqlite3'),
    file: options.file,
    busyTimeoutMs: options.busyTimeoutMs,
  };
  // No inherited flags: a TypeScript loader or an inspector in the parent would only slow the thread's start.
  const worker = new Worker(SQLITE_WORKER_SOURCE, { eval: true, workerData, execArgv: [] });
  const waiting = new Map<number, Waiting>();
  /** Queries whose caller gave up at the deadline, by id: when each was sent. */
  const overdue = new Map<number, number>();
  let nextId = 0;
  let closing = false;
  let abandoned = false;
  let crash: unknown;
  let gone: SqliteWorkerError | undefined;

  // An idle connection must not keep the process alive, as a main-thread one never did; a caller awaiting a
  // reply, or the close, must.
  const holdProcessWhileAwaited = () =>
    !abandoned && (waiting.size > 0 || closing) ? worker.ref() : worker.unref();
  holdProcessWhileAwaited();

  worker.on('message', (reply: SqliteWorkerReply) => {
    overdue.delete(reply.id);
    const pending = waiting.get(reply.id);
    if (pending === undefined) {
      return;
    }
    waiting.delete(reply.id);
    clearTimeout(pending.timer);
    holdProcessWhileAwaited();
    if (reply.ok) {
      pending.resolve(resultOf(reply));
    } else {
      pending.reject(new SqliteQueryError(reply.error.message, reply.error.code, reply.error.name));
    }
  });
  worker.on('error', (error) => {
    crash = error;
  });
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      gone = closing
        ? new SqliteWorkerError('database is closed', SqliteWorkerFailure.closed)
        : new SqliteWorkerError(
            `SQLite worker exited with code ${code}${crash instanceof Error ? `: ${crash.message}` : ''}`,
            SqliteWorkerFailure.workerExited,
            undefined,
            { cause: crash },
          );
      for (const pending of waiting.values()) {
        clearTimeout(pending.timer);
        pending.reject(gone);
      }
      waiting.clear();
      overdue.clear();
      resolve();
    });
  });

  return {
    get alive() {
      return gone === undefined;
    },
    query(sql, parameters) {
      if (gone !== undefined) {
        return Promise.reject(gone);
      }
      nextId += 1;
      const id = nextId;
      return new Promise((resolve, reject) => {
        const sentAt = now();
        const timer = setTimeout(() => {
          waiting.delete(id);
          overdue.set(id, sentAt);
          holdProcessWhileAwaited();
          reject(
            new SqliteWorkerError(
              `SQLite query did not return within ${options.queryTimeoutMs} ms`,
              SqliteWorkerFailure.queryTimeout,
              options.queryTimeoutMs,
            ),
          );
        }, options.queryTimeoutMs);
        waiting.set(id, { resolve, reject, timer });
        try {
          worker.postMessage({ type: 'query', id, sql, parameters } satisfies SqliteWorkerRequest);
        } catch (error) {
          // Parameters the structured clone cannot copy (a function, a symbol): nothing was sent.
          clearTimeout(timer);
          waiting.delete(id);
          reject(error);
        }
        holdProcessWhileAwaited();
      });
    },
    stuckForMs() {
      let oldest: number | undefined;
      for (const sentAt of overdue.values()) {
        oldest = oldest === undefined ? sentAt : Math.min(oldest, sentAt);
      }
      return oldest === undefined ? undefined : now() - oldest;
    },
    async close(graceMs) {
      if (gone === undefined && !closing) {
        closing = true;
        worker.postMessage({ type: 'close' } satisfies SqliteWorkerRequest);
        holdProcessWhileAwaited();
      }
      const outcome = await Promise.race([
        exited.then(() => 'exited' as const),
        sleep(graceMs, 'timeout' as const, { ref: false }),
      ]);
      if (outcome === 'timeout') {
        abandoned = true;
        holdProcessWhileAwaited();
        void worker.terminate();
      }
    },
  };
}

function resultOf(reply: Extract<SqliteWorkerReply, { ok: true }>): QueryResult<unknown> {
  if (reply.changes === undefined) {
    return { rows: reply.rows };
  }
  return {
    rows: reply.rows,
    numAffectedRows: BigInt(reply.changes),
    ...(reply.lastInsertRowid === undefined ? {} : { insertId: BigInt(reply.lastInsertRowid) }),
  };
}
