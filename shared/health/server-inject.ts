import { request as httpRequest, type Server } from 'node:http';
import type { InjectRequest } from './checks/page-renders.js';

/**
 * A page check's request to the app's own server, in-process and over loopback: a real HTTP request, so it
 * passes through whatever serves the app (express, connect, plain `node:http`) exactly as a visitor's does.
 * The server must be listening when the check runs (it is, when `/health` is asked through it); a wildcard bind
 * (`0.0.0.0`, `::`) is reached on its loopback address, a Unix socket by its path.
 *
 * Not light-my-request for these: on an express app it rewires express's request and response prototypes for
 * good, which breaks every real request after the first check (fastify/light-my-request#333).
 *
 * @example
 * const server = http.createServer(app);
 * pageRendersCheck({ inject: serverInject(server), headers: { host: 'www.example.com' } });
 * server.listen(8080);
 */
export function serverInject(server: Pick<Server, 'address'>): InjectRequest {
  return (req) =>
    new Promise((resolve, reject) => {
      const address = server.address();
      if (address === null) {
        reject(new Error('the server is not listening'));
        return;
      }
      const target =
        typeof address === 'string'
          ? { socketPath: address }
          : { host: loopbackFor(address.address), port: address.port };
      const outgoing = httpRequest(
        // No agent: one request per check run, and nothing left open between runs.
        {
          ...target,
          method: req.method,
          path: req.url,
          headers: req.headers,
          signal: req.signal,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
}

function loopbackFor(bound: string): string {
  if (bound === '0.0.0.0') return '127.0.0.1';
  if (bound === '::') return '::1';
  return bound;
}
