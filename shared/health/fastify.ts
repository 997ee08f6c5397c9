import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { compileAuth, isAuthorised } from './auth';
import { drainingBody, publicView } from './body';
import { HEALTH_CONTENT_TYPE, type HealthAuth, type HealthBody, type HealthRunner } from './types';

/** Options of {@link healthPlugin}. */
export interface HealthPluginOptions {
  runner: HealthRunner;
  /** Who sees the full body; without it everyone gets `{ status }` only. */
  auth?: HealthAuth;
  /** Deep readiness route; default `/health`. */
  path?: string;
  /** Liveness route; default `/health/live`. */
  livePath?: string;
  /** While true (graceful shutdown), `path` answers 503 `shutting down` without running any check. */
  draining?: () => boolean;
}

const NO_AUTH: HealthAuth = {};

const plugin: FastifyPluginAsync<HealthPluginOptions> = async (app, options) => {
  const { runner } = options;
  const auth = options.auth ?? NO_AUTH;
  compileAuth(auth); // an invalid CIDR fails at registration, not on the first probe
  const draining = options.draining ?? (() => false);

  app.get(options.path ?? '/health', async (request, reply) => {
    // The socket's peer, never X-Forwarded-For: a forwarded address is whatever the caller wrote.
    const authorised = isAuthorised(
      { headers: request.headers, ip: request.socket.remoteAddress ?? '' },
      auth,
    );
    const view = (body: HealthBody) => (authorised ? body : publicView(body));
    if (draining()) {
      return send(reply, 503, view(drainingBody()));
    }
    try {
      const { body, httpStatus } = await runner.report();
      return send(reply, httpStatus, view(body));
    } catch (error) {
      request.log.error({ err: error }, 'health report failed');
      return send(reply, 503, view({ status: 'fail', output: 'health report unavailable' }));
    }
  });

  // Liveness: the process answers. No dependency is touched, and draining does not change it: a draining
  // process is alive, and restarting it would cut the requests it is finishing.
  app.get(options.livePath ?? '/health/live', async (_request, reply) =>
    send(reply, 200, { status: 'pass' }),
  );
};

function send(reply: FastifyReply, code: number, body: HealthBody): FastifyReply {
  return (
    reply
      .code(code)
      .header('content-type', HEALTH_CONTENT_TYPE)
      .header('cache-control', 'no-store')
      // A Buffer, because fastify appends `; charset=utf-8` to strings; JSON is UTF-8 by definition (RFC 8259).
      .send(Buffer.from(JSON.stringify(body), 'utf8'))
  );
}

// fastify-plugin's two symbols, set by hand (it is not a dependency): the routes register on the parent
// instance, so the app's root-level hooks (logging, error handling) apply to them.
Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'healthgate-health',
});

/**
 * Fastify plugin serving `GET /health` (deep, `application/health+json`, details only to authorised callers)
 * and `GET /health/live` (liveness).
 *
 * @example
 * await app.register(healthPlugin, { runner, auth: { token: cfg.healthToken, cidrs: ['10.0.0.0/8'] } });
 */
export const healthPlugin: FastifyPluginAsync<HealthPluginOptions> = plugin;
