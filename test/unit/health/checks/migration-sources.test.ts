/** Where migrationsCheck learns what is pending: a real kysely Migrator (SQLite in memory), or applied names. */
import SQLite from 'better-sqlite3';
import { Kysely, type Migration, Migrator, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHealthRunner,
  kyselyPendingMigrations,
  migrationsCheck,
  pendingFromApplied,
} from '../../../../shared/health';

const noop: Migration = { up: async () => {} };
const MIGRATIONS: Record<string, Migration> = { '0001_init': noop, '0002_meters': noop, '0003_rates': noop };

const databases: Kysely<unknown>[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.destroy()));
});

function migratorOver(migrations: Record<string, Migration>) {
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  databases.push(db);
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

describe('kyselyPendingMigrations', () => {
  it("names kysely's pending migrations in its order, and none once applied", async () => {
    const migrator = migratorOver(MIGRATIONS);
    const pending = kyselyPendingMigrations(migrator);
    expect(await pending(new AbortController().signal)).toEqual(['0001_init', '0002_meters', '0003_rates']);
    await migrator.migrateTo('0002_meters');
    expect(await pending(new AbortController().signal)).toEqual(['0003_rates']);
    await migrator.migrateToLatest();
    expect(await pending(new AbortController().signal)).toEqual([]);
  });

  it('drives migrationsCheck: pending fails non-transiently, naming them', async () => {
    const migrator = migratorOver(MIGRATIONS);
    await migrator.migrateTo('0001_init');
    const runner = createHealthRunner({
      checks: [migrationsCheck({ pending: kyselyPendingMigrations(migrator) })],
    });
    const { body, httpStatus } = await runner.report();
    expect(httpStatus).toBe(503);
    expect(body.checks?.['migrations:pending']?.[0]).toMatchObject({
      status: 'fail',
      transient: false,
      observedValue: 2,
      output: 'pending migrations: 0002_meters, 0003_rates',
    });
  });
});

describe('pendingFromApplied', () => {
  it('is expected minus applied, in the expected order; a newer applied name is not pending', async () => {
    const seen: AbortSignal[] = [];
    const pending = pendingFromApplied({
      expected: ['0001_init', '0002_meters', '0003_rates'],
      applied: async (signal) => {
        seen.push(signal);
        return new Set(['0003_rates', '0001_init', '0004_from_a_newer_build']);
      },
    });
    const signal = new AbortController().signal;
    expect(await pending(signal)).toEqual(['0002_meters']);
    expect(seen).toEqual([signal]);
  });

  it('reads expected from a function at each run; a failing read is a transient check failure', async () => {
    let expected = ['0001_init'];
    const pending = pendingFromApplied({ expected: () => expected, applied: async () => ['0001_init'] });
    expect(await pending(new AbortController().signal)).toEqual([]);
    expected = ['0001_init', '0002_meters'];
    expect(await pending(new AbortController().signal)).toEqual(['0002_meters']);

    const broken = migrationsCheck({
      pending: pendingFromApplied({
        expected,
        applied: async () => {
          throw new Error('connect ECONNREFUSED postgres://app:pw@db:5432/app');
        },
      }),
    });
    const { body } = await createHealthRunner({ checks: [broken] }).report();
    const entry = body.checks?.['migrations:pending']?.[0];
    expect(entry).toMatchObject({ status: 'fail' });
    expect(entry?.transient).toBeUndefined();
    expect(entry?.output).toBe('cannot list migrations: connect ECONNREFUSED [redacted]');
  });
});
