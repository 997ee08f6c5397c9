import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { InjectRequest } from './checks/page-renders.js';
import { createHealthHandler, type HealthHandlerOptions } from './handler.js';
import type { HealthResponse } from './response.js';

/** Options of {@link healthPlugin}: those of the core handler. */
export type HealthPluginOptions = HealthHandlerOptions;

const healthRoutes: FastifyPluginCallback<HealthPluginOptions> = (app, options, done) => {
  let handler: ReturnType<typeof createHealthHandler>;
  try {
    handler = createHealthHandler(options);
  } catch (error) {
    // An invalid CIDR or route fails the registration, not the first probe.
    done(error as Error);
    return;
  }
  // Not async: a cached answer goes out without a promise per request. fastify has routed the request, so the
  // handler's own path matching is skipped (a prefix of an enclosing plugin is then honoured too).
  app.get(handler.path, (request, reply) => {
    const result = handler.deep({
      headers: request.headers,
      // The socket's peer, never X-Forwarded-For (nor request.ip, which trustProxy may take from it).
      remoteAddress: request.socket.remoteAddress,
    });
    if (result instanceof Promise) {
      void result.then((response) => send(request, reply, response));
    } else {
      send(request, reply, result);
    }
  });
  if (handler.livePath !== undefined) {
    app.get(handler.livePath, (request, reply) => send(request, reply, handler.live()));
  }
  done();
};

function send(request: FastifyRequest, reply: FastifyReply, response: HealthResponse): void {
  if (response.error !== undefined) {
    request.log.error({ err: response.error }, 'health report failed');
  }
  reply.code(response.status).headers(response.headers).send(response.body);
}

/**
 * Fastify plugin serving `GET /health` (deep, `application/health+json`, details only to authorised callers)
 * and `GET /health/live` (liveness), HEAD included. Wrapped by fastify-plugin: fastify checks its version
 * (5.x), and the routes register on the instance it is given rather than an encapsulated child, so that
 * instance's hooks (logging, host checks, error handling) apply to them.
 *
 * @example
 * await app.register(healthPlugin, { runner, auth: { token: process.env.HEALTH_TOKEN, cidrs: ['10.0.0.0/16'] } });
 */
export const healthPlugin = fastifyPlugin(healthRoutes, { fastify: '5.x', name: '@healthgate/health' });

/**
 * A page check's in-process request through `app` (fastify's `inject`: no socket, the app's hooks run).
 *
 * @example
 * pageRendersCheck({ inject: fastifyInject(app), headers: { host: 'www.example.com', 'x-forwarded-proto': 'https' } })
 */
export function fastifyInject(app: Pick<FastifyInstance, 'inject'>): InjectRequest {
  return async (req) => {
    const res = await app.inject({
      method: req.method,
      url: req.url,
      headers: req.headers,
      signal: req.signal,
    });
    return { statusCode: res.statusCode, body: res.body };
  };
}
