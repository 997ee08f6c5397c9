import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { pino } from 'pino';
import { type HealthHandler, type HealthResponse, HealthRoute } from '../shared/health';
import { healthRequestOf, writeHealthResponse } from '../shared/health/node';

/** What {@link createHealthFront} needs from the app. */
export interface HealthFrontDeps {
  /** The library's core handler over the app's runner, auth and draining state. */
  health: HealthHandler;
  /** The app's compiled Host check (the same one its fastify hook applies to every other request). */
  hostAllowed: (hostHeader: string | undefined) => boolean;
  /** The health log: one line per health request, as the app writes for every request. */
  log: pino.Logger;
  /** Whether the server is closing: answers then ask the client to close its connection, as fastify's do. */
  closing: () => boolean;
}

/** Answers `req` if it is a health request (true), or leaves it to the app (false). */
export type HealthFront = (req: IncomingMessage, res: ServerResponse) => boolean;

const UNKNOWN_HOST = Buffer.from('Bad Request: unknown host\n', 'utf8');

/**
 * The app's health routes, answered on the app's own server ahead of fastify. A probe is the app's most frequent
 * request and the one that must stay cheap under load: through fastify it paid for the framework's per-request
 * logger, hooks and routing (twice its own cost, measured in bench/results). The behaviour is the app's: an
 * unknown Host gets the same 400, health paths are never redirected to HTTPS, details go only to authorised
 * callers (the library's handler), and each request is one `request completed` line in the health log with the
 * fields the app's other access lines carry.
 *
 * @example
 * const front = createHealthFront({ health, hostAllowed, log: loggers.health, closing: () => !server.listening });
 * http.createServer((req, res) => front(req, res) || fastifyHandler(req, res));
 */
export function createHealthFront(deps: HealthFrontDeps): HealthFront {
  let sequence = 0;
  const finish = (req: IncomingMessage, res: ServerResponse, response: HealthResponse, started: number) => {
    if (deps.closing()) {
      res.setHeader('connection', 'close');
    }
    writeHealthResponse(res, response);
    sequence += 1;
    if (response.error !== undefined) {
      deps.log.error({ reqId: `health-${sequence}`, err: response.error }, 'health report failed');
    }
    deps.log.info(
      {
        reqId: `health-${sequence}`,
        method: req.method,
        url: req.url,
        host: req.headers.host,
        remoteAddress: req.socket.remoteAddress,
        statusCode: response.status,
        responseTime: Math.round((performance.now() - started) * 10) / 10,
      },
      'request completed',
    );
  };
  return (req, res) => {
    const request = healthRequestOf(req);
    const route = deps.health.routeOf(request);
    if (route === undefined) {
      return false;
    }
    const started = performance.now();
    if (!deps.hostAllowed(req.headers.host)) {
      finish(req, res, BAD_HOST, started);
      return true;
    }
    const result = route === HealthRoute.live ? deps.health.live() : deps.health.deep(request);
    if (result instanceof Promise) {
      void result.then((response) => finish(req, res, response, started));
    } else {
      finish(req, res, result, started);
    }
    return true;
  };
}

// The same answer the app's Host hook gives (app.ts).
const BAD_HOST: HealthResponse = Object.freeze({
  status: 400,
  headers: Object.freeze({
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(UNKNOWN_HOST.length),
  }),
  body: UNKNOWN_HOST,
});
