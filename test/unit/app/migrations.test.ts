import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../app/db/database';
import { createMigrator, migrateToLatest, pendingMigrations } from '../../../app/db/migrator';
import { tempDir } from './helpers';

describe('pendingMigrations', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function fresh() {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const database = openDatabase({ sqlitePath: path.join(dir, 'm.sqlite'), timeoutMs: 1000 });
    cleanups.push(() => database.close());
    return database;
  }

  it('names every migration on a fresh database, and creates nothing there (read-only)', async () => {
    const { db } = await fresh();
    expect(await pendingMigrations(db)).toEqual(['0001_create_tariffs', '0002_seed_tariffs']);
    expect(await db.introspection.getTables()).toEqual([]);
  });

  it('names only what is left, in order, and nothing once all are applied', async () => {
    const { db } = await fresh();
    const migrator = createMigrator(db);
    await migrator.migrateTo('0001_create_tariffs');
    expect(await pendingMigrations(db)).toEqual(['0002_seed_tariffs']);
    await migrateToLatest(migrator);
    expect(await pendingMigrations(db)).toEqual([]);
  });

  it('reports a database failure instead of calling everything pending', async () => {
    const database = await fresh();
    await migrateToLatest(createMigrator(database.db));
    await database.close();
    await expect(pendingMigrations(database.db)).rejects.toThrow();
  });
});
