import { sanitiseMessage } from '../sanitise.js';
import type { HealthCheck } from '../types.js';

/** Options of {@link migrationsCheck}. */
export interface MigrationsCheckOptions {
  /** Names of the migrations the code expects but the database has not applied. */
  pending: (signal: AbortSignal) => Promise<string[]>;
  timeoutMs?: number;
  /** Default `migrations:pending`. */
  name?: string;
}

const MAX_NAMED = 20;

/**
 * `migrations:pending`: fails, non-transient, naming the pending migrations when any exist (the first 20, then
 * a count). Failing to list them (database unreachable, timeout) is transient: the database may come back.
 * `pending` comes from anywhere; `kyselyPendingMigrations` and `pendingFromApplied` build one.
 *
 * @example
 * migrationsCheck({ pending: pendingFromApplied({ expected: MIGRATION_NAMES, applied: listAppliedNames }) })
 */
export function migrationsCheck(options: MigrationsCheckOptions): HealthCheck {
  return {
    name: options.name ?? 'migrations:pending',
    componentType: 'datastore',
    // Transient for errors and timeouts; the outcome marks pending migrations as non-transient.
    transient: true,
    timeoutMs: options.timeoutMs ?? 2000,
    run: async (signal) => {
      let pending: string[];
      try {
        pending = await options.pending(signal);
      } catch (error) {
        return { status: 'fail', output: `cannot list migrations: ${sanitiseMessage(error)}` };
      }
      if (pending.length === 0) {
        return { status: 'pass', observedValue: 0, observedUnit: 'migrations' };
      }
      const named = pending.slice(0, MAX_NAMED).join(', ');
      const more = pending.length > MAX_NAMED ? ` and ${pending.length - MAX_NAMED} more` : '';
      return {
        status: 'fail',
        transient: false,
        observedValue: pending.length,
        observedUnit: 'migrations',
        output: `pending migrations: ${named}${more}`,
      };
    },
  };
}
