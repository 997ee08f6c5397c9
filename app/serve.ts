import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { type AppDeps, buildApp } from './app';
import type { AppConfig } from './config';

/** Where shutdown signals come from; `process` by default. */
export interface SignalSource {
  once(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  removeListener(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
}

/** Process-level bits of {@link serve}, injectable. */
export interface ServeDeps extends AppDeps {
  signals?: SignalSource;
  /** Called once at the end of a signalled shutdown; default `process.exit`. */
  exit?: (code: number) => void;
  /** Where the "listening on" line goes; default stdout. */
  print?: (line: string) => void;
}

/** A listening app. */
export interface Served {
  app: FastifyInstance;
  /** `http://host:port` it listens on. */
  url: string;
  /** Graceful shutdown (as on SIGTERM) without calling `exit`; resolves to the exit code it would use. */
  shutdown(): Promise<number>;
}

/**
 * Builds the app, listens on `HOST:PORT`, prints where, and shuts down gracefully on SIGTERM/SIGINT:
 * readiness fails first (`/health` 503 `shutting down`) for `SHUTDOWN_DRAIN_MS` so load balancers stop
 * routing, then the server stops accepting, in-flight requests finish and the process exits 0 (1 when they
 * outlast `SHUTDOWN_TIMEOUT_MS`).
 */
export async function serve(config: AppConfig, deps: ServeDeps = {}): Promise<Served> {
  const app = await buildApp(config, deps);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  (deps.print ?? ((line) => process.stdout.write(`${line}\n`)))(`healthgate app listening on ${url}`);

  const signals = deps.signals ?? process;
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  let shutting: Promise<number> | undefined;

  const shutdown = (): Promise<number> => {
    shutting ??= (async () => {
      signals.removeListener('SIGTERM', onSignal);
      signals.removeListener('SIGINT', onSignal);
      app.healthgate.startDraining();
      app.log.info({ drainMs: config.shutdownDrainMs }, 'shutting down: readiness fails, draining');
      if (config.shutdownDrainMs > 0) {
        await sleep(config.shutdownDrainMs);
      }
      const closed = app.close().then(() => 'closed' as const);
      const timer = sleep(config.shutdownTimeoutMs, 'timeout' as const, { ref: false });
      const outcome = await Promise.race([closed, timer]);
      if (outcome === 'timeout') {
        app.log.error(
          { timeoutMs: config.shutdownTimeoutMs },
          'in-flight requests outlasted the shutdown timeout',
        );
        app.server.closeAllConnections();
        return 1;
      }
      app.log.info('shut down');
      return 0;
    })();
    return shutting;
  };
  const onSignal = () => {
    void shutdown().then(exit, (error: unknown) => {
      app.log.error({ err: error }, 'shutdown failed');
      exit(1);
    });
  };
  signals.once('SIGTERM', onSignal);
  signals.once('SIGINT', onSignal);
  return { app, url, shutdown };
}
