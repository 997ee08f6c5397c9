import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Migrator } from 'kysely';
import { createHealthHandler, type HealthRunner } from '../shared/health';
import { fastifyInject } from '../shared/health/fastify';
import { allowedHostsFor, createHostCheck } from './allowed-hosts';
import type { AppConfig } from './config';
import { type AppDatabase, openDatabase } from './db/database';
import { createMigrator } from './db/migrator';
import { createAppHealthRunner } from './health';
import { createHealthFront, type HealthFront } from './health-front';
import { registerHome } from './home';
import { httpsRedirectTarget } from './https-redirect';
import type { InstanceIdentity } from './instance-identity';
import { type AppLoggers, createLoggers, isHealthRequest, openLogDestinations } from './logging';

/** What {@link buildApp} may be given instead of building it from configuration. */
export interface AppDeps {
  /** Owned by the caller when given; otherwise opened from `config` and closed with the app. */
  database?: AppDatabase;
  /** From {@link discoverIdentity}; default: `INSTANCE_ID` only. */
  identity?: InstanceIdentity;
  /** Default: opened from `config` (stdout or `ACCESS_LOG_FILE`, and `HEALTH_LOG_FILE`). */
  loggers?: AppLoggers;
}

/** The app's own state, reachable as `app.healthgate`. */
export interface AppState {
  runner: HealthRunner;
  migrator: Migrator;
  database: AppDatabase;
  loggers: AppLoggers;
  /** Hosts admitted by the Host check. */
  allowedHosts: string[];
  readonly draining: boolean;
  /** Readiness fails from now on (503 `shutting down`); nothing else changes. */
  startDraining(): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    healthgate: AppState;
  }
}

const INTERNAL_HEADER = 'x-healthgate-internal';

/**
 * Builds the app without listening: home page, deep `/health` and `/health/live`, Host check (400 on an unknown
 * Host), HTTPS redirect (301 unless `X-Forwarded-Proto: https`, never for `/health*`), access lines in the main
 * log and health lines in the health log.
 *
 * @example
 * const app = await buildApp(loadConfig(process.env), { identity });
 * const res = await app.inject({ url: '/', headers: { host: 'localhost', 'x-forwarded-proto': 'https' } });
 */
export async function buildApp(config: AppConfig, deps: AppDeps = {}): Promise<FastifyInstance> {
  const loggers =
    deps.loggers ??
    createLoggers(
      openLogDestinations({ accessLogFile: config.accessLogFile, healthLogFile: config.healthLogFile }),
      config.logLevel,
      config.healthTokenHeader,
    );
  const identity: InstanceIdentity = deps.identity ?? { instanceId: config.instanceId, fileHosts: [] };
  const database =
    deps.database ??
    openDatabase({
      databaseUrl: config.databaseUrl,
      sqlitePath: config.sqlitePath,
      timeoutMs: config.dbTimeoutMs,
      onIdleError: (error) => loggers.main.warn({ err: error }, 'idle database connection failed'),
    });
  const ownsDatabase = deps.database === undefined;
  const internal = { header: INTERNAL_HEADER, nonce: randomBytes(16).toString('hex') };
  const allowedHosts = allowedHostsFor({
    configured: config.allowedHosts,
    fileHosts: identity.fileHosts,
    privateIp: identity.privateIp,
    bindHost: config.host,
  });

  // Set once the health handler exists (it needs the app for its page check); no request arrives before.
  let healthFront: HealthFront = () => false;
  const app = Fastify({
    // The health routes are answered on the same server ahead of fastify (./health-front); the rest goes through it.
    serverFactory: (handler, options) => {
      const server = createServer((req, res) => {
        if (!healthFront(req, res)) {
          handler(req, res);
        }
      });
      // What fastify sets on a server it creates itself (its options, defaults applied).
      const { keepAliveTimeout, requestTimeout, maxRequestsPerSocket } = options;
      if (typeof keepAliveTimeout === 'number') server.keepAliveTimeout = keepAliveTimeout;
      if (typeof requestTimeout === 'number') server.requestTimeout = requestTimeout;
      if (typeof maxRequestsPerSocket === 'number' && maxRequestsPerSocket > 0) {
        server.maxRequestsPerSocket = maxRequestsPerSocket;
      }
      return server;
    },
    // pino's Logger is a FastifyBaseLogger; the cast keeps the instance's type the default one.
    loggerInstance: loggers.main as FastifyBaseLogger,
    // Access lines are written by the onResponse hook below, one per request, into the right stream.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger, bindings, options, rawReq) =>
      (isHealthRequest(rawReq, internal) ? loggers.health : logger).child(bindings, options),
  });

  let draining = false;
  const migrator = createMigrator(database.db);
  const pageHost = pageHostFor(allowedHosts, config.port);
  const runner = createAppHealthRunner({
    config,
    database,
    identity,
    inject: fastifyInject(app),
    pageHeaders: { host: pageHost, 'x-forwarded-proto': 'https', [INTERNAL_HEADER]: internal.nonce },
  });
  app.decorate('healthgate', {
    runner,
    migrator,
    database,
    loggers,
    allowedHosts,
    get draining() {
      return draining;
    },
    startDraining() {
      draining = true;
    },
  } satisfies AppState);

  const hostAllowed = createHostCheck(allowedHosts);
  // A callback hook, not an async one: every request, probes included, passes here, and a promise per request
  // costs more than the check itself. Replying ends the request without calling `done`.
  app.addHook('onRequest', (request, reply, done) => {
    if (!hostAllowed(request.headers.host)) {
      reply.code(400).type('text/plain; charset=utf-8').send('Bad Request: unknown host\n');
      return;
    }
    if (config.httpsRedirect) {
      const target = httpsRedirectTarget({
        url: request.url,
        host: request.headers.host,
        forwardedProto: request.headers['x-forwarded-proto'],
      });
      if (target !== undefined) {
        reply.code(301).header('location', target).send();
        return;
      }
    }
    done();
  });

  // A callback hook for the same reason as onRequest: one line per request, without a promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        host: request.headers.host,
        remoteAddress: request.ip,
        statusCode: reply.statusCode,
        responseTime: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
    done();
  });

  app.setErrorHandler(async (error, request, reply) => {
    const status = statusOf(error);
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
    }
    // Never the error's message: it may carry a query, a path or a secret.
    return reply
      .code(status)
      .type('text/plain; charset=utf-8')
      .send(status >= 500 ? 'Internal Server Error\n' : 'Bad Request\n');
  });

  registerHome(app, { database, faults: config.faults });
  healthFront = createHealthFront({
    // An invalid CIDR throws here, at build time, not on the first probe.
    health: createHealthHandler({
      runner,
      auth: { token: config.healthToken, header: config.healthTokenHeader, cidrs: config.healthCidrs },
      draining: () => draining,
    }),
    hostAllowed,
    log: loggers.health,
    closing: () => !app.server.listening,
  });

  if (ownsDatabase) {
    app.addHook('onClose', async () => database.close());
  }
  return app;
}

/** The Host the in-process page check sends: an allowed host (a domain pattern's apex), else `localhost`. */
function pageHostFor(allowedHosts: readonly string[], port: number): string {
  const first = allowedHosts[0];
  if (first === undefined) {
    // Nothing is allowed: the check then reports the 400, which is the truth.
    return 'localhost';
  }
  const host = first.startsWith('.') ? first.slice(1) : first;
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function statusOf(error: unknown): number {
  const code = (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : 500;
}
