import { type HealthCheck, requiredConfigCheck } from '../../shared/health';
import { REQUIRED_KEYS } from '../config';
import type { ConfigError } from '../errors';

/** The check reporting a configuration error other than missing required keys (invalid values, SSM unreadable). */
export const CONFIG_VALID_CHECK = 'configuration:valid';

/**
 * The checks of the boot-failure report (pure): the app's own `configuration:keys` (the same check, so a missing
 * key reads the same whether the app runs or not), plus `configuration:valid` carrying the error when it is not
 * only missing keys. Every failure is `transient: false`: the process will not read its configuration again, so
 * waiting heals nothing.
 *
 * @example
 * bootFailureChecks(new ConfigError('missing required configuration: SECRET_KEY', ['SECRET_KEY']), env)
 */
export function bootFailureChecks(
  error: ConfigError,
  env: Readonly<Record<string, string | undefined>>,
): HealthCheck[] {
  const snapshot = { ...env };
  const checks = [requiredConfigCheck({ keys: [...REQUIRED_KEYS], env: snapshot })];
  const required: readonly string[] = REQUIRED_KEYS;
  const onlyMissing =
    error.keys.length > 0 &&
    error.keys.every((key) => required.includes(key) && (snapshot[key] ?? '').trim() === '');
  if (!onlyMissing) {
    checks.push({
      name: CONFIG_VALID_CHECK,
      componentType: 'component',
      transient: false,
      timeoutMs: 500,
      // ConfigError messages name keys and what was expected, never a value; the runner redacts secrets anyway.
      run: async () => ({
        status: 'fail',
        observedValue: error.keys.length,
        observedUnit: 'invalid keys',
        output: error.message,
      }),
    });
  }
  return checks;
}
