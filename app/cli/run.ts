import type { AppConfig } from '../config';
import { createLoggers, openLogDestinations } from '../logging';

/** Shared by the CLIs: flags, configuration, the local-defaults notice, and a clean failure. */
export interface CliContext {
  config: AppConfig;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

const LOCAL_FLAG = '--local-defaults';

/**
 * Resolves the configuration (SSM, env, `--local-defaults`) and runs `main`. Any failure prints one line
 * naming what failed (a ConfigError names keys, never values) and exits 1.
 */
export async function runCli(main: (ctx: CliContext) => Promise<void>): Promise<void> {
  const stdout = (line: string) => process.stdout.write(`${line}\n`);
  const stderr = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const { resolveConfig } = await import('../boot');
    const env = { ...process.env };
    if (process.argv.includes(LOCAL_FLAG)) {
      env.LOCAL_DEFAULTS = '1';
    }
    const config = await resolveConfig(env);
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
