/**
 * Where `migrationsCheck` learns which migrations are pending: a kysely `Migrator`, or the names a database
 * records as applied set against the names the code ships. Structural types: no migration library is imported.
 */

/** What {@link kyselyPendingMigrations} reads of kysely's `Migrator` (its `getMigrations()`). */
export interface MigratorLike {
  getMigrations(): Promise<readonly { name: string; executedAt?: Date | undefined }[]>;
}

/** A `pending` function for `migrationsCheck`. */
export type PendingMigrations = (signal: AbortSignal) => Promise<string[]>;

/**
 * Pending migrations as kysely's `Migrator` reports them (those without `executedAt`), in its order. Note that
 * `getMigrations()` creates kysely's migration tables when they are missing: a read-only database user then
 * fails the check (transiently, "cannot list migrations"); {@link pendingFromApplied} over a plain select avoids
 * any write.
 *
 * @example
 * migrationsCheck({ pending: kyselyPendingMigrations(new Migrator({ db, provider })) })
 */
export function kyselyPendingMigrations(migrator: MigratorLike): PendingMigrations {
  return async () =>
    (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** Options of {@link pendingFromApplied}. */
export interface PendingFromAppliedOptions {
  /** The migrations the code ships, in the order they apply (or a function giving them). */
  expected: readonly string[] | (() => readonly string[]);
  /** The names the database records as applied (e.g. `select name from schema_migrations`); honour `signal`. */
  applied: (signal: AbortSignal) => Promise<Iterable<string>>;
}

/**
 * Pending migrations as `expected` minus `applied`, in `expected`'s order. A name applied but not expected (a
 * newer build ran first) is not pending: this build's schema is there.
 *
 * @example
 * migrationsCheck({
 *   pending: pendingFromApplied({
 *     expected: ['0001_init', '0002_meters'],
 *     applied: async () => (await pool.query('select name from schema_migrations')).rows.map((r) => r.name),
 *   }),
 * })
 */
export function pendingFromApplied(options: PendingFromAppliedOptions): PendingMigrations {
  return async (signal) => {
    const expected = typeof options.expected === 'function' ? options.expected() : options.expected;
    const applied = new Set(await options.applied(signal));
    return expected.filter((name) => !applied.has(name));
  };
}
