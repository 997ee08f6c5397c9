import { type Kysely, type Migration, Migrator } from 'kysely';
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
// biome-ignore lint/suspicious/noExplicitAny: the Migrator works on any schema
export function createMigrator(
  db: Kysely<any>,
  migrations: Record<string, Migration> = MIGRATIONS,
): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/** Names of the migrations the code has and the database has not applied, in order. */
export async function pendingMigrations(migrator: Migrator): Promise<string[]> {
  const infos = await migrator.getMigrations();
  return infos.filter((info) => info.executedAt === undefined).map((info) => info.name);
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
