/** `npm run migrate`: apply the app's pending migrations to the configured database. */
import { runCli } from './run';

await runCli(async ({ config, stdout }) => {
  const { openConfiguredDatabase, migrate } = await import('../boot');
  const database = openConfiguredDatabase(config);
  try {
    const applied = await migrate(database);
    stdout(applied.length > 0 ? `applied migrations: ${applied.join(', ')}` : 'migrations: up to date');
  } finally {
    await database.close();
  }
});
