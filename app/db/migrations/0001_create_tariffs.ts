import type { Kysely } from 'kysely';

/** The tariffs the home page lists. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tariffs')
    .addColumn('code', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('fuel', 'text', (col) => col.notNull())
    .addColumn('unit_rate_pence', 'real', (col) => col.notNull())
    .addColumn('standing_charge_pence', 'real', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tariffs').execute();
}
