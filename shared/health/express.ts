import type { Server } from 'node:http';
import type { InjectRequest } from './checks/page-renders.js';
import { createHealthListener, type HealthListener, type HealthListenerOptions } from './node.js';
import { serverInject } from './server-inject.js';

/** Options of {@link healthMiddleware}: those of the node listener. */
export type HealthMiddlewareOptions = HealthListenerOptions;

/**
 * Express (4 or 5) middleware answering the health routes and passing every other request on. It reads the
 * socket's peer address, never `req.ip` (which `trust proxy` may take from X-Forwarded-For), and `req.url`, so
 * mounted under a prefix (`app.use('/ops', …)`) its routes are relative to it. Typed on node's request and
 * response, so it needs no express types.
 *
 * @example
 * app.use(healthMiddleware({ runner, auth: { token: process.env.HEALTH_TOKEN } }));
 */
export function healthMiddleware(options: HealthMiddlewareOptions): HealthListener {
  return createHealthListener(options);
}

/**
 * A page check's request through the express app: a real request to the app's own server over loopback (see
 * `serverInject`), so every middleware runs as for a visitor. Give it the server before it listens.
 *
 * @example
 * const server = http.createServer(app);
 * pageRendersCheck({ inject: expressInject(server), headers: { host: 'www.example.com' } });
 * server.listen(8080);
 */
export function expressInject(server: Pick<Server, 'address'>): InjectRequest {
  return serverInject(server);
}
