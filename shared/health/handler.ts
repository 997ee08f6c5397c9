import { type Authoriser, createAuthoriser } from './auth.js';
import { HealthConfigError } from './errors.js';
import {
  DRAINING_RESPONSES,
  fullResponse,
  type HealthResponse,
  LIVE_RESPONSE,
  publicResponse,
  unavailableResponse,
} from './response.js';
import type { HealthAuth, HealthReport, HealthRunner } from './types.js';

/** The essentials of an HTTP request that the health routes read; every adapter builds one. */
export interface HealthRequest {
  /** `GET`, `HEAD`, …; other methods than GET and HEAD are not health requests. */
  method: string;
  /** The request target: a path, optionally with a query string (ignored). */
  path: string;
  /** Lower-case names, as node's `IncomingMessage.headers`. */
  headers: Record<string, string | string[] | undefined>;
  /** The socket's peer address; never a forwarded header, which is whatever the caller wrote. */
  remoteAddress: string | undefined;
}

/** Options of {@link createHealthHandler}, shared by every adapter. */
export interface HealthHandlerOptions {
  runner: HealthRunner;
  /** Who sees the full body; without it everyone gets `{ status }` only. */
  auth?: HealthAuth;
  /** Deep readiness route; default `/health`. */
  path?: string;
  /** Liveness route; default `/health/live`; `false` for none. */
  livePath?: string | false;
  /** While true (graceful shutdown), `path` answers 503 `shutting down` without running any check. */
  draining?: () => boolean;
}

/**
 * Answers a health request, or returns `undefined` when the request is not one (another path, or a method
 * other than GET and HEAD), so the caller serves it. Liveness, draining and a fresh cached report answer
 * synchronously; otherwise the deep route returns a promise that never rejects. A framework that routes by
 * itself calls `deep` and `live` directly.
 */
export interface HealthHandler {
  (request: HealthRequest): HealthResponse | Promise<HealthResponse> | undefined;
  /** The deep route's answer to a request already routed there. */
  deep(request: Pick<HealthRequest, 'headers' | 'remoteAddress'>): HealthResponse | Promise<HealthResponse>;
  /** The liveness answer. */
  live(): HealthResponse;
  /**
   * Which of its routes `request` is for, without answering it: `deep`, `live`, or undefined (not a health
   * request). For a caller that must decide something first (e.g. a Host check) before calling `deep`/`live`.
   */
  routeOf(request: Pick<HealthRequest, 'method' | 'path'>): HealthRoute | undefined;
  /** The deep route it answers. */
  readonly path: string;
  /** The liveness route it answers, if any. */
  readonly livePath: string | undefined;
}

/** The two health routes. */
export const HealthRoute = { deep: 'deep', live: 'live' } as const;
export type HealthRoute = (typeof HealthRoute)[keyof typeof HealthRoute];

const NOT_DRAINING = () => false;

/**
 * The framework-free core of every adapter: `GET path` serves the runner's report as `application/health+json`
 * (full body to authorised callers, `{ status }` to others; 200 for pass and warn, 503 for fail;
 * `Cache-Control: no-store`), `GET livePath` answers 200 `{ status: 'pass' }` touching nothing, even while
 * draining (a draining process is alive, and restarting it would cut the requests it is finishing).
 * Authorisation is compiled here, so an invalid CIDR throws `InvalidCidrError` at setup, not on the first probe.
 * Each cached report is serialised once, whatever the number of requests it answers.
 *
 * @example
 * const health = createHealthHandler({ runner, auth: { token: process.env.HEALTH_TOKEN } });
 * const response = await health({ method: 'GET', path: '/health', headers: {}, remoteAddress: '10.0.1.7' });
 * // response: { status: 200, headers: { 'content-type': 'application/health+json', … }, body: <Buffer …> }
 */
export function createHealthHandler(options: HealthHandlerOptions): HealthHandler {
  const { runner } = options;
  if (typeof runner?.report !== 'function') {
    throw new HealthConfigError('runner must be a health runner (createHealthRunner)', {});
  }
  const path = routePath('path', options.path ?? '/health');
  const livePath =
    options.livePath === false ? undefined : routePath('livePath', options.livePath ?? '/health/live');
  if (livePath === path) {
    throw new HealthConfigError(
      `path and livePath are both ${path}: readiness and liveness need two routes`,
      {
        path,
        livePath,
      },
    );
  }
  const authorise: Authoriser = createAuthoriser(options.auth ?? {});
  const draining = options.draining ?? NOT_DRAINING;

  const deep = (
    request: Pick<HealthRequest, 'headers' | 'remoteAddress'>,
  ): HealthResponse | Promise<HealthResponse> => {
    const authorised = authorise({ headers: request.headers, ip: request.remoteAddress ?? '' });
    if (draining()) {
      return authorised ? DRAINING_RESPONSES.full : DRAINING_RESPONSES.public;
    }
    // A fresh cached report is answered in this turn: waiting a microtask for it costs a probe more than serving it.
    const cached = runner.cached?.();
    if (cached !== undefined) {
      return authorised ? fullResponse(cached) : publicResponse(cached);
    }
    let reported: Promise<HealthReport>;
    try {
      reported = runner.report();
    } catch (error) {
      // A runner of one's own may throw instead of rejecting; the answer is the same.
      return Promise.resolve(unavailableResponse(error, authorised));
    }
    return reported.then(
      (report) => (authorised ? fullResponse(report) : publicResponse(report)),
      (error: unknown) => unavailableResponse(error, authorised),
    );
  };
  const live = (): HealthResponse => LIVE_RESPONSE;
  const routeOf = (request: Pick<HealthRequest, 'method' | 'path'>): HealthRoute | undefined => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return undefined;
    }
    const query = request.path.indexOf('?');
    const target = query === -1 ? request.path : request.path.slice(0, query);
    if (target === path) {
      return HealthRoute.deep;
    }
    return target === livePath ? HealthRoute.live : undefined;
  };
  const handler = (request: HealthRequest): HealthResponse | Promise<HealthResponse> | undefined => {
    const route = routeOf(request);
    if (route === HealthRoute.deep) {
      return deep(request);
    }
    return route === HealthRoute.live ? LIVE_RESPONSE : undefined;
  };
  return Object.assign(handler, { deep, live, routeOf, path, livePath });
}

function routePath(option: 'path' | 'livePath', value: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.includes('?') || value.includes('#')) {
    throw new HealthConfigError(`${option} must be a path starting with "/", without query or fragment`, {
      [option]: value,
    });
  }
  return value;
}
