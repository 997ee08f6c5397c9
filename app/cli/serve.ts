/**
 * `npm run app`: serve the app. `--local-defaults` (or `LOCAL_DEFAULTS=1`) runs on embedded defaults for a
 * local run; migrations are applied first when `MIGRATE_ON_BOOT` says so (by default: when the database is the
 * default local SQLite file). On a configuration error the app never starts; with `BOOT_FAILURE_REPORT=serve`
 * the process then answers only a failing /health that names the keys (app/boot-failure) instead of exiting.
 */
import { buildLoggersForCli, runCli } from './run';

await runCli(
  async ({ config, stderr }) => {
    const { openConfiguredDatabase, migrate, discoverIdentity } = await import('../boot');
    const { serve } = await import('../serve');
    const loggers = buildLoggersForCli(config);
    const identity = await discoverIdentity(config);
    const database = openConfiguredDatabase(config, (error) =>
      loggers.main.warn({ err: error }, 'idle database connection failed'),
    );
    if (config.migrateOnBoot) {
      const applied = await migrate(database);
      stderr(applied.length > 0 ? `applied migrations: ${applied.join(', ')}` : 'migrations: up to date');
    }
    const served = await serve(config, {
      database,
      identity,
      loggers,
      exit: (code) => {
        void database.close().finally(() => process.exit(code));
      },
    });
    served.app.log.info({ url: served.url, instanceId: identity.instanceId }, 'listening');
  },
  {
    // In this process rather than a separate one: configuration is read before anything is opened, so nothing
    // half-built is left behind, and the unit's SIGTERM reaches the reporter directly.
    onConfigError: async (error, env, { stderr }) => {
      const { BootFailureReport, bootFailureReportOf, startBootFailureReporter } = await import(
        '../boot-failure'
      );
      if (bootFailureReportOf(env) !== BootFailureReport.serve) {
        return false;
      }
      await startBootFailureReporter(error, env, { print: stderr });
      return true;
    },
  },
);
