/**
 * The real app, served in its own process for the bench: configuration from the environment, migrations
 * applied, then `serve`. Answers the parent's `stats` message with the health runner's run count and RSS.
 */
import { migrate, openConfiguredDatabase } from '../app/boot';
import { loadConfig } from '../app/config';
import { serve } from '../app/serve';

/** Messages between the bench and this process. */
export type AppServerMessage =
  | { kind: 'ready'; url: string }
  | { kind: 'stats'; runs: number; rssBytes: number }
  | { kind: 'failed'; error: string };

const send = (message: AppServerMessage) => process.send?.(message);

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
      send({ kind: 'stats', runs: served.app.healthgate.runner.runs, rssBytes: process.memoryUsage().rss });
    }
  });
  // The parent going away must not leave this server behind.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  send({ kind: 'ready', url: served.url });
} catch (error) {
  send({ kind: 'failed', error: `${(error as Error).name}: ${(error as Error).message}` });
  process.exit(1);
}
