/**
 * The real app, served in its own process for the bench: configuration from the environment, migrations
 * applied, then `serve`. Answers the parent's `stats` message with the health runner's run count, RSS and CPU
 * time used so far.
 */
import { migrate, openConfiguredDatabase } from '../app/boot';
import { loadConfig } from '../app/config';
import { serve } from '../app/serve';
import { processStats, sendToBench as send } from './server-messages';

try {
  const config = loadConfig(process.env);
  const database = openConfiguredDatabase(config);
  await migrate(database);
  const served = await serve(config, {
    database,
    identity: { instanceId: config.instanceId, fileHosts: [] },
    print: () => {},
    exit: (code) => {
      void database.close().finally(() => process.exit(code));
    },
  });
  process.on('message', (message) => {
    if (message === 'stats') {
      send({ kind: 'stats', runs: served.app.healthgate.runner.runs, ...processStats() });
    }
  });
  // The parent going away must not leave this server behind.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  send({ kind: 'ready', url: served.url });
} catch (error) {
  send({ kind: 'failed', error: `${(error as Error).name}: ${(error as Error).message}` });
  process.exit(1);
}
