import type { HealthCheck } from '../types.js';

/** Options of {@link requiredConfigCheck}. */
export interface RequiredConfigCheckOptions {
  /** Keys that must be set to a non-blank value. */
  keys: string[];
  /** Where to look; default `process.env`, read at each run. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Default `configuration:keys`. */
  name?: string;
}

/**
 * `configuration:keys`: fails, non-transient, when any required key is unset or blank. The output names the
 * missing keys, never a value.
 *
 * @example
 * requiredConfigCheck({ keys: ['DATABASE_URL', 'SESSION_SECRET'] })
 */
export function requiredConfigCheck(options: RequiredConfigCheckOptions): HealthCheck {
  const keys = [...options.keys];
  return {
    name: options.name ?? 'configuration:keys',
    componentType: 'component',
    // Configuration is read at boot: waiting does not make a missing key appear.
    transient: false,
    timeoutMs: options.timeoutMs ?? 500,
    run: async () => {
      const env = options.env ?? process.env;
      const missing = keys.filter((key) => (env[key] ?? '').trim() === '');
      if (missing.length === 0) {
        return { status: 'pass', observedValue: 0, observedUnit: 'missing keys' };
      }
      return {
        status: 'fail',
        observedValue: missing.length,
        observedUnit: 'missing keys',
        output: `missing required configuration: ${missing.join(', ')}`,
      };
    },
  };
}
