/**
 * `npm run app` / `npm start`: serve the app. `--local-defaults` (or `LOCAL_DEFAULTS=1`) runs on embedded
 * defaults for a local run; migrations are applied first when `MIGRATE_ON_BOOT` says so (by default: when
 * the database is the default local SQLite file).
 */
import { buildLoggersForCli, runCli } from './run';

await runCli(async ({ config, stderr }) => {
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
});
