/**
 * The yardstick for the app's own overhead: a bare fastify app (no logger, no hooks) answering the same
 * liveness response as the app, in its own process under the same loader. It speaks the app server's IPC.
 */
import Fastify from 'fastify';
import { processStats, sendToBench as send } from './server-messages';

const LIVE = Buffer.from(JSON.stringify({ status: 'pass' }), 'utf8');

try {
  const app = Fastify({ logger: false });
  app.get('/health/live', async (_request, reply) =>
    reply
      .code(200)
      .header('content-type', 'application/health+json')
      .header('cache-control', 'no-store')
      .send(LIVE),
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.on('message', (message) => {
    if (message === 'stats') send({ kind: 'stats', runs: 0, ...processStats() });
  });
  process.on('SIGTERM', () => void app.close().finally(() => process.exit(0)));
  // The parent going away must not leave this server behind.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  send({ kind: 'ready', url });
} catch (error) {
  send({ kind: 'failed', error: `${(error as Error).name}: ${(error as Error).message}` });
  process.exit(1);
}
