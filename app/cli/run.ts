import type { AppConfig } from '../config';
import { ConfigError } from '../errors';
import { createLoggers, openLogDestinations } from '../logging';

/** Shared by the CLIs: flags, configuration, the local-defaults notice, and a clean failure. */
export interface CliContext {
  config: AppConfig;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /**
   * Called after a configuration error has been printed, with the environment as far as it was resolved (SSM
   * included when it could be read). Resolves `true` when it took over the process (the CLI then neither exits
   * nor sets an exit code); `false` or a rejection exit 1 as usual.
   */
  onConfigError?: (
    error: ConfigError,
    env: Record<string, string | undefined>,
    io: Pick<CliContext, 'stdout' | 'stderr'>,
  ) => Promise<boolean>;
}

const LOCAL_FLAG = '--local-defaults';

/**
 * Resolves the configuration (SSM, env, `--local-defaults`) and runs `main`. Any failure prints one line
 * naming what failed (a ConfigError names keys, never values) and exits 1, unless `onConfigError` takes over.
 */
export async function runCli(
  main: (ctx: CliContext) => Promise<void>,
  options: RunCliOptions = {},
): Promise<void> {
  const stdout = (line: string) => process.stdout.write(`${line}\n`);
  const stderr = (line: string) => process.stderr.write(`${line}\n`);
  let resolved: Record<string, string | undefined> = {};
  let configured = false;
  try {
    const { completeEnv } = await import('../boot');
    const { loadConfig } = await import('../config');
    const env = { ...process.env };
    if (process.argv.includes(LOCAL_FLAG)) {
      env.LOCAL_DEFAULTS = '1';
    }
    resolved = env; // what a report gets if the SSM store cannot be read
    resolved = await completeEnv(env);
    const config = loadConfig(resolved);
    configured = true;
    if (config.localDefaults) {
      stderr(
        `healthgate: LOCAL DEFAULTS MODE (not for production): ${config.secretKeyIsDefault ? 'SECRET_KEY is an embedded, public placeholder; ' : ''}` +
          `HTTPS redirect ${config.httpsRedirect ? 'on' : 'off'}; database ${config.databaseUrl ? 'PostgreSQL' : config.sqlitePath}`,
      );
    }
    await main({ config, stdout, stderr });
  } catch (error) {
    const err = error as Error;
    stderr(`healthgate: cannot start: ${err.name}: ${err.message}`);
    // Only a failure to configure is reported: past that point `main` may have opened or bound something.
    if (error instanceof ConfigError && !configured && options.onConfigError) {
      try {
        if (await options.onConfigError(error, resolved, { stdout, stderr })) {
          return;
        }
      } catch (reportError) {
        const e = reportError as Error;
        stderr(`healthgate: cannot report the boot failure: ${e.name}: ${e.message}`);
      }
    }
    process.exitCode = 1;
    // Open handles (a pool, a timer) must not keep a failed boot alive.
    setTimeout(() => process.exit(1), 100).unref();
  }
}

/** The CLI's loggers: main on stdout (or ACCESS_LOG_FILE), health in HEALTH_LOG_FILE. */
export function buildLoggersForCli(config: AppConfig) {
  return createLoggers(
    openLogDestinations({ accessLogFile: config.accessLogFile, healthLogFile: config.healthLogFile }),
    config.logLevel,
    config.healthTokenHeader,
  );
}
