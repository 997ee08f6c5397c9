/** Why the SQLite worker could not run a query: a closed set, so callers and logs can branch on it. */
export const SqliteWorkerFailure = {
  /** The query did not return before its deadline; it may still be running in the worker. */
  queryTimeout: 'query-timeout',
  /** The single connection stayed busy with other queries for longer than the wait allowed. */
  connectionTimeout: 'connection-timeout',
  /** An earlier query outlived its deadline and has still not returned: the worker is stuck. */
  hung: 'hung',
  /** The worker thread exited (crashed) while queries were outstanding. */
  workerExited: 'worker-exited',
  /** The database was closed. */
  closed: 'closed',
} as const;
export type SqliteWorkerFailure = (typeof SqliteWorkerFailure)[keyof typeof SqliteWorkerFailure];

/** The SQLite worker could not run a query (see {@link SqliteWorkerFailure}); SQLite itself said nothing. */
export class SqliteWorkerError extends Error {
  override readonly name = 'SqliteWorkerError';

  constructor(
    message: string,
    readonly reason: SqliteWorkerFailure,
    /** The bound that was exceeded, or how long the stuck query has been running, in ms. */
    readonly elapsedMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** SQLite refused a query: `code` is SQLite's (`SQLITE_BUSY` for a lock held elsewhere) when it gave one. */
export class SqliteQueryError extends Error {
  override readonly name = 'SqliteQueryError';

  constructor(
    message: string,
    readonly code: string | undefined,
    /** The name of the error raised in the worker (`SqliteError`, `RangeError`, …). */
    readonly workerErrorName: string,
  ) {
    super(message);
  }
}
