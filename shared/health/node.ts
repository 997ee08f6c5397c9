import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHealthHandler, type HealthHandlerOptions, type HealthRequest } from './handler.js';
import type { HealthResponse } from './response.js';

/** Options of {@link createHealthListener}: the core handler's, and where a failed report is told. */
export interface HealthListenerOptions extends HealthHandlerOptions {
  /** Called when the runner rejected (the answer is then 503 without detail); default: nothing. */
  onReportError?: (error: unknown, req: IncomingMessage) => void;
}

/**
 * A node request listener, usable as connect/express middleware: it answers the health routes and hands every
 * other request to `next`, or answers 404 when there is no `next`.
 */
export type HealthListener = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

const NOT_FOUND = Buffer.from('Not Found\n', 'utf8');

/**
 * Serves the health routes on a plain `node:http` server (or as middleware before other routes).
 *
 * @example
 * const health = createHealthListener({ runner, auth: { token: process.env.HEALTH_TOKEN } });
 * http.createServer((req, res) => health(req, res, () => app(req, res))).listen(8080);
 */
export function createHealthListener(options: HealthListenerOptions): HealthListener {
  const handler = createHealthHandler(options);
  const onReportError = options.onReportError;
  return (req, res, next) => {
    const result = handler(healthRequestOf(req));
    if (result === undefined) {
      if (next) {
        next();
      } else {
        res.writeHead(404, {
          'content-type': 'text/plain; charset=utf-8',
          'content-length': NOT_FOUND.length,
        });
        res.end(NOT_FOUND);
      }
    } else if (result instanceof Promise) {
      void result.then((response) => {
        if (response.error !== undefined) onReportError?.(response.error, req);
        writeHealthResponse(res, response);
      });
    } else {
      writeHealthResponse(res, result);
    }
  };
}

/** The essentials of a node request, as the core handler reads them (the peer address from the socket). */
export function healthRequestOf(req: IncomingMessage): HealthRequest {
  return {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers: req.headers,
    remoteAddress: req.socket.remoteAddress,
  };
}

/** Writes `response` (status, headers with content length, body; node leaves the body out for HEAD). */
export function writeHealthResponse(res: ServerResponse, response: HealthResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

export { serverInject } from './server-inject.js';
