import { sanitiseMessage } from '../sanitise.js';
import type { HealthCheck } from '../types.js';

/** Options of {@link databaseCheck}. */
export interface DatabaseCheckOptions {
  /** A round trip to the database (`select 1`); should honour `signal`. */
  ping: (signal: AbortSignal) => Promise<void>;
  timeoutMs?: number;
  /** Default `database:responseTime`. */
  name?: string;
  /** Monotonic clock in ms for the response time; default `performance.now`. */
  now?: () => number;
}

/**
 * `database:responseTime`: pings the database, observing the round trip in ms. A failure is transient (a
 * database may come back); its output is the sanitised error, never a connection string or password.
 */
export function databaseCheck(options: DatabaseCheckOptions): HealthCheck {
  const now = options.now ?? (() => performance.now());
  return {
    name: options.name ?? 'database:responseTime',
    componentType: 'datastore',
    transient: true,
    timeoutMs: options.timeoutMs ?? 1500,
    run: async (signal) => {
      const started = now();
      try {
        await options.ping(signal);
      } catch (error) {
        return {
          status: 'fail',
          observedValue: elapsed(started, now()),
          observedUnit: 'ms',
          output: sanitiseMessage(error),
        };
      }
      return { status: 'pass', observedValue: elapsed(started, now()), observedUnit: 'ms' };
    },
  };
}

function elapsed(start: number, end: number): number {
  return Math.max(0, Math.round((end - start) * 10) / 10);
}
