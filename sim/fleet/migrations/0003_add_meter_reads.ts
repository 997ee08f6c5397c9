/** A migration only a later image ships: the code expects it, so an image whose release skipped it fails health. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('meter_reads')
    .addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('meter', 'text', (col) => col.notNull())
    .addColumn('read_at', 'text', (col) => col.notNull())
    .addColumn('value_kwh', 'real', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('meter_reads').execute();
}
