import { DEFAULT_MIGRATION_TABLE, type Kysely, type Migration, Migrator, sql } from 'kysely';
import { MIGRATIONS } from './migrations';

/** A migration failed to apply; names it. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly migration?: string;

  constructor(message: string, migration: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.migration = migration;
  }
}

/** kysely's Migrator over the app's migrations (code, not files). */
export function createMigrator(
  // biome-ignore lint/suspicious/noExplicitAny: the Migrator works on any schema
  db: Kysely<any>,
  migrations: Record<string, Migration> = MIGRATIONS,
): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/**
 * Names of the migrations the code has and the database has not applied, in kysely's order. Read-only: it
 * reads kysely's migration table and creates nothing (kysely's own `getMigrations` creates its tables first;
 * a health check must not write, and a read-only user must get "pending", not an error).
 */
export async function pendingMigrations(
  // biome-ignore lint/suspicious/noExplicitAny: only kysely's migration table is read
  db: Kysely<any>,
  migrations: Record<string, Migration> = MIGRATIONS,
): Promise<string[]> {
  let applied: Set<string>;
  try {
    const { rows } = await sql<{
      name: string;
    }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(db);
    applied = new Set(rows.map((row) => row.name));
  } catch (error) {
    // Only a missing table means "nothing applied yet"; any other failure is the database's and is reported.
    const tables = await db.introspection.getTables();
    if (tables.some((table) => table.name === DEFAULT_MIGRATION_TABLE)) {
      throw error;
    }
    applied = new Set();
  }
  return Object.keys(migrations)
    .sort((a, b) => a.localeCompare(b))
    .filter((name) => !applied.has(name));
}

/** Applies every pending migration; returns the names applied. Throws {@link MigrationError} naming a failure. */
export async function migrateToLatest(migrator: Migrator): Promise<string[]> {
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed) {
    const name = failed?.migrationName;
    throw new MigrationError(name ? `migration ${name} failed` : 'migrations failed', name, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
