import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Generated, Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteQueryError, SqliteWorkerError, SqliteWorkerFailure } from '../../../app/db/sqlite-errors';
import { type SqliteWorkerDialectConfig, sqliteWorkerDialect } from '../../../app/db/sqlite-worker-dialect';
import { tempDir } from './helpers';
import { holdSqliteLock } from './sqlite-lock-holder';

interface TestSchema {
  items: { id: Generated<number>; name: string };
}

describe('sqliteWorkerDialect', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function file(): Promise<string> {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    return path.join(dir, 'w.sqlite');
  }

  function open(at: string, overrides: Partial<SqliteWorkerDialectConfig> = {}): Kysely<TestSchema> {
    const db = new Kysely<TestSchema>({
      dialect: sqliteWorkerDialect({
        file: at,
        busyTimeoutMs: 1000,
        acquireTimeoutMs: 1000,
        queryTimeoutMs: 3000,
        ...overrides,
      }),
    });
    cleanups.push(() => db.destroy());
    return db;
  }

  /** A file with the `items` table, every connection to it closed (so a lock holder can take it). */
  async function withTable(): Promise<string> {
    const at = await file();
    const db = new Kysely<TestSchema>({
      dialect: sqliteWorkerDialect({
        file: at,
        busyTimeoutMs: 1000,
        acquireTimeoutMs: 1000,
        queryTimeoutMs: 3000,
      }),
    });
    await db.schema
      .createTable('items')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('name', 'text', (c) => c.notNull())
      .execute();
    await db.destroy();
    return at;
  }

  /** The rejection of `work()`, with how long it took (a synchronous stall included). */
  async function failure(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
    const started = performance.now();
    try {
      await work();
    } catch (error) {
      return { error, ms: performance.now() - started };
    }
    throw new Error('expected a rejection');
  }

  it('returns rows, affected rows and insert ids, and SQLite refusals as typed errors', async () => {
    const db = open(await withTable());
    const inserted = await db.insertInto('items').values({ name: 'a' }).executeTakeFirstOrThrow();
    expect(inserted).toMatchObject({ insertId: 1n, numInsertedOrUpdatedRows: 1n });
    await db
      .insertInto('items')
      .values([{ name: 'b' }, { name: 'c' }])
      .execute();
    const updated = await db.updateTable('items').set({ name: 'z' }).where('id', '>', 1).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);
    expect(await db.selectFrom('items').select(['id', 'name']).orderBy('id').execute()).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'z' },
      { id: 3, name: 'z' },
    ]);
    const chunks: unknown[][] = [];
    for await (const row of db.selectFrom('items').select('id').orderBy('id').stream(2))
      chunks.push([row.id]);
    expect(chunks).toEqual([[1], [2], [3]]);

    const { error } = await failure(() => sql`select * from missing`.execute(db));
    expect(error).toBeInstanceOf(SqliteQueryError);
    expect(error).toMatchObject({ code: 'SQLITE_ERROR', message: 'no such table: missing' });
  });

  it('commits and rolls back transactions and savepoints, and holds the connection for the transaction', async () => {
    const db = open(await withTable());
    await db.transaction().execute((trx) => trx.insertInto('items').values({ name: 'kept' }).execute());
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ name: 'dropped' }).execute();
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');

    const trx = await db.startTransaction().execute();
    await trx.insertInto('items').values({ name: 'outer' }).execute();
    // Outside the transaction: waits for the connection, so it sees the committed state, never a half one.
    const outside = db.selectFrom('items').select('name').orderBy('id').execute();
    const inner = await trx.savepoint('inner').execute();
    await inner.insertInto('items').values({ name: 'inner' }).execute();
    await inner.rollbackToSavepoint('inner').execute();
    await trx.commit().execute();
    expect((await outside).map((r) => r.name)).toEqual(['kept', 'outer']);
  });

  it('fails with SQLITE_BUSY after the busy timeout while another process holds the lock, never blocking the event loop', async () => {
    const at = await withTable();
    const holder = await holdSqliteLock(at);
    cleanups.push(holder.release);
    const db = open(at, { busyTimeoutMs: 500 });
    // The longest gap between the ticks of a 5 ms interval: how long the event loop was blocked at a stretch.
    let last = performance.now();
    let stallMs = 0;
    const ticks = setInterval(() => {
      const now = performance.now();
      stallMs = Math.max(stallMs, now - last);
      last = now;
    }, 5);
    await sleep(20);
    const { error, ms } = await failure(() => db.selectFrom('items').selectAll().execute());
    // One more tick after the work, so a stall right at its end is seen before the interval stops.
    await sleep(20);
    clearInterval(ticks);
    expect(error).toBeInstanceOf(SqliteQueryError);
    expect(error).toMatchObject({ code: 'SQLITE_BUSY', message: 'database is locked' });
    expect(ms).toBeGreaterThanOrEqual(450);
    // better-sqlite3 on this thread would have stalled the loop for the whole busy timeout.
    expect(stallMs).toBeLessThan(200);

    await holder.release();
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([]);
  });

  it('fails every query at once while one is stuck past its deadline, and recovers when it returns', async () => {
    const at = await withTable();
    const holder = await holdSqliteLock(at);
    cleanups.push(holder.release);
    // A busy timeout far beyond the deadline: the first statement stays inside SQLite, as a hung disk would.
    const db = open(at, {
      busyTimeoutMs: 30_000,
      queryTimeoutMs: 300,
      acquireTimeoutMs: 300,
      closeTimeoutMs: 300,
    });

    const stuck = await failure(() => db.selectFrom('items').selectAll().execute());
    expect(stuck.error).toBeInstanceOf(SqliteWorkerError);
    expect(stuck.error).toMatchObject({ reason: SqliteWorkerFailure.queryTimeout, elapsedMs: 300 });
    expect(stuck.ms).toBeLessThan(2000);

    const next = await failure(() => db.selectFrom('items').selectAll().execute());
    expect(next.error).toMatchObject({ name: 'SqliteWorkerError', reason: SqliteWorkerFailure.hung });
    expect((next.error as SqliteWorkerError).elapsedMs).toBeGreaterThanOrEqual(300);
    expect((next.error as SqliteWorkerError).message).toMatch(
      /^SQLite worker is stuck: a query has not returned/,
    );
    expect(next.ms).toBeLessThan(100);

    await holder.release();
    let rows: unknown[] | undefined;
    for (let i = 0; i < 40 && rows === undefined; i += 1) {
      rows = await db
        .selectFrom('items')
        .selectAll()
        .execute()
        .catch(() => sleep(100).then(() => undefined));
    }
    expect(rows).toEqual([]);
  });

  it('fails a query that waited too long for the connection held by a transaction', async () => {
    const db = open(await withTable(), { acquireTimeoutMs: 200 });
    const trx = await db.startTransaction().execute();
    const { error, ms } = await failure(() => db.selectFrom('items').selectAll().execute());
    expect(error).toMatchObject({ reason: SqliteWorkerFailure.connectionTimeout, elapsedMs: 200 });
    expect(ms).toBeGreaterThanOrEqual(150);
    await trx.commit().execute();
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([]);
  });
});
