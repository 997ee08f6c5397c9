/**
 * The SQLite worker thread's side: the messages it exchanges with the main thread, and its code.
 *
 * The code is a string run with `new Worker(source, { eval: true })` rather than a file of its own: the app runs
 * from TypeScript sources (tsx, vitest) and from esbuild bundles (dist/, the sim's images), and a string travels
 * inside whichever module starts it, with no second file to emit, copy or find at run time. It is kept to what a
 * reader can check by eye; the dialect's tests run it for real.
 */

/** What the worker is started with. */
export interface SqliteWorkerData {
  /** Absolute path of the better-sqlite3 entry, resolved by the main thread: eval code resolves from the cwd. */
  driverPath: string;
  file: string;
  /** SQLite's busy timeout: how long one statement waits for a lock held elsewhere before SQLITE_BUSY. */
  busyTimeoutMs: number;
}

/** Main thread → worker. */
export type SqliteWorkerRequest =
  | { type: 'query'; id: number; sql: string; parameters: readonly unknown[] }
  | { type: 'close' };

/** Worker → main thread: one reply per query, in order. */
export type SqliteWorkerReply =
  | {
      id: number;
      ok: true;
      rows: unknown[];
      /** Set for statements that return no rows (better-sqlite3's `run`). */
      changes?: number;
      lastInsertRowid?: number | bigint;
    }
  | { id: number; ok: false; error: { name: string; message: string; code?: string } };

/**
 * Owns one better-sqlite3 connection and runs each query message on it, in order. The connection is opened on
 * the first query, and again on the next one when opening failed (a lock held elsewhere makes the switch to WAL
 * fail with SQLITE_BUSY), so a database locked at boot heals without a restart.
 */
export const SQLITE_WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
let db;

function open() {
  const opened = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
  try {
    opened.pragma('journal_mode = WAL');
  } catch (error) {
    opened.close();
    throw error;
  }
  return opened;
}

function describe(error) {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, code: typeof e.code === 'string' ? e.code : undefined };
}

parentPort.on('message', (message) => {
  if (message.type === 'close') {
    try {
      db?.close();
    } finally {
      parentPort.close();
    }
    return;
  }
  const { id, sql, parameters } = message;
  try {
    db ??= open();
    const statement = db.prepare(sql);
    if (statement.reader) {
      parentPort.postMessage({ id, ok: true, rows: statement.all(parameters) });
    } else {
      const { changes, lastInsertRowid } = statement.run(parameters);
      parentPort.postMessage({ id, ok: true, rows: [], changes, lastInsertRowid });
    }
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: describe(error) });
  }
});
`;
