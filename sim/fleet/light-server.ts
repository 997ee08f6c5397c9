/**
 * One light instance's HTTP server: `GET /health` as the app answers it (`application/health+json`, `no-store`,
 * 200 for pass and 503 for fail, the checks and identity only to a caller the health library authorises),
 * `GET /health/live`, and a small home page. Its health can change while it runs, and it can be frozen: a frozen
 * server accepts connections and holds every request, as a stopped process does, until thawed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  buildBody,
  HEALTH_CONTENT_TYPE,
  type HealthAuth,
  type HealthBody,
  type HealthIdentity,
  httpStatusFor,
  isAuthorised,
  publicView,
} from '../../shared/health';
import { LightHealth } from './light-image';

/** What one server needs. */
export interface LightServerOptions {
  /** The instance's private address (loopback). */
  host: string;
  port: number;
  identity: HealthIdentity;
  /** Who sees the details: the token the gate sends (as the app's `HEALTH_TOKEN`). */
  auth: HealthAuth;
  health: LightHealth;
  now?: () => number;
}

/** A listening light server. */
export interface LightServer {
  health: LightHealth;
  /** Holds every request (and those already held) until thawed. */
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

/** The checks a light instance reports, by its health. */
function body(health: LightHealth, identity: HealthIdentity, time: string): HealthBody {
  const pass = (
    name: string,
    componentType: string,
    observedValue: number | string[],
    observedUnit?: string,
  ) => ({
    name,
    entry: {
      status: 'pass' as const,
      componentType,
      observedValue,
      ...(observedUnit ? { observedUnit } : {}),
      time,
    },
  });
  const entries = [
    pass('configuration:keys', 'system', []),
    health === LightHealth.failTransient
      ? {
          name: 'database:responseTime',
          entry: {
            status: 'fail' as const,
            componentType: 'datastore',
            time,
            output: 'database unreachable',
          },
        }
      : pass('database:responseTime', 'datastore', 1, 'ms'),
    health === LightHealth.failPermanent
      ? {
          name: 'migrations:pending',
          entry: {
            status: 'fail' as const,
            componentType: 'datastore',
            observedValue: ['0003_add_meter_reads'],
            time,
            output: 'pending: 0003_add_meter_reads',
            transient: false as const,
          },
        }
      : pass('migrations:pending', 'datastore', []),
    pass('homepage:status', 'component', 200),
  ];
  return buildBody(identity, entries);
}

const send = (res: ServerResponse, status: number, contentType: string, text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  res.writeHead(status, {
    'content-type': contentType,
    'cache-control': 'no-store',
    'content-length': bytes.length,
  });
  res.end(bytes);
};

/**
 * Listens on `host:port` (refusing a non-loopback host).
 *
 * @example
 * const server = await startLightServer({ host: '127.0.1.7', port: 18080, identity: { instanceId, version: 'v2' },
 *   auth: { token }, health: LightHealth.pass });
 */
export async function startLightServer(options: LightServerOptions): Promise<LightServer> {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(options.host)) {
    throw new Error(`light instances bind loopback only; got ${options.host}`);
  }
  const now = options.now ?? Date.now;
  const sockets = new Set<Socket>();
  const held: (() => void)[] = [];
  let frozen = false;
  const state = { health: options.health };

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    if (frozen || state.health === LightHealth.hang) {
      held.push(() => answer(req, res));
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain', 'Method Not Allowed\n');
    if (path === '/health') {
      const full = body(state.health, options.identity, new Date(now()).toISOString());
      // The socket's peer, never X-Forwarded-For, as the health library's adapters decide.
      const authorised = isAuthorised(
        { headers: req.headers, ip: req.socket.remoteAddress ?? '' },
        options.auth,
      );
      return send(
        res,
        httpStatusFor(full.status),
        HEALTH_CONTENT_TYPE,
        JSON.stringify(authorised ? full : publicView(full)),
      );
    }
    if (path === '/health/live') return send(res, 200, HEALTH_CONTENT_TYPE, '{"status":"pass"}');
    if (path === '/')
      return send(res, 200, 'text/html; charset=utf-8', '<!doctype html><title>healthgate</title>\n');
    return send(res, 404, 'text/plain', 'Not Found\n');
  };

  const server: Server = createServer(answer);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });

  const release = () => {
    for (const retry of held.splice(0)) retry();
  };
  return {
    get health() {
      return state.health;
    },
    set health(next: LightHealth) {
      state.health = next;
      release();
    },
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      release();
    },
    close: () =>
      new Promise<void>((resolve) => {
        held.length = 0;
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
