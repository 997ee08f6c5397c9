import type { HealthCheck } from '../types.js';

/**
 * An in-process request to the app itself: `fastifyInject(app)` (fastify's `inject`), `serverInject(server)` /
 * `expressInject(server)` (a loopback request to the app's own server), or one's own. `signal` fires when the
 * check's `timeoutMs` runs out: abandon the request then.
 */
export type InjectRequest = (req: {
  method: 'GET';
  url: string;
  headers: Record<string, string>;
  signal: AbortSignal;
}) => Promise<{ statusCode: number; body?: string }>;

/** Options of {@link pageRendersCheck}. */
export interface PageRendersCheckOptions {
  inject: InjectRequest;
  /** Default `/`. */
  path?: string;
  /** Default 200. */
  expectStatus?: number;
  /** Headers that pass the app's own host check and HTTPS redirect (e.g. Host and `X-Forwarded-Proto: https`). */
  headers?: Record<string, string>;
  /** Text the body must contain. */
  expectText?: string;
  timeoutMs?: number;
  /** Default `homepage:status`. */
  name?: string;
  /**
   * Whether a failure may heal by waiting; default `true`. A page also fails while a dependency is briefly down,
   * and the checks that find permanent causes (configuration, migrations) mark those themselves; set `false`
   * to abandon at once on a page that renders wrongly.
   */
  transient?: boolean;
  /**
   * Asked when the page fails: whether the page's own dependencies (e.g. the database) answer. When they do, the
   * failure is the page's own (code, template, routing), which waiting will not heal, so it is reported with
   * `transient: false`. A dependency that is down, or this probe failing, leaves the failure transient.
   */
  dependenciesHealthy?: (signal: AbortSignal) => Promise<boolean>;
}

/**
 * `homepage:status`: renders a page in-process and fails when it answers another status than expected or
 * lacks `expectText`. The output names the status, never the body.
 *
 * @example
 * pageRendersCheck({ inject: fastifyInject(app), headers: { host: 'www.example.com', 'x-forwarded-proto': 'https' } })
 */
export function pageRendersCheck(options: PageRendersCheckOptions): HealthCheck {
  const path = options.path ?? '/';
  const expectStatus = options.expectStatus ?? 200;
  return {
    name: options.name ?? 'homepage:status',
    componentType: 'component',
    transient: options.transient ?? true,
    timeoutMs: options.timeoutMs ?? 2000,
    run: async (signal) => {
      const res = await options.inject({ method: 'GET', url: path, headers: { ...options.headers }, signal });
      const observed = { observedValue: res.statusCode, observedUnit: 'http status' };
      const failure = async (output: string) => {
        const own = options.dependenciesHealthy
          ? await options.dependenciesHealthy(signal).catch(() => false)
          : false;
        return {
          status: 'fail' as const,
          ...observed,
          output: own ? `${output}, while its dependencies answer` : output,
          ...(own ? { transient: false } : {}),
        };
      };
      if (res.statusCode !== expectStatus) {
        const hint =
          res.statusCode >= 300 && res.statusCode < 400
            ? ' (a redirect: check the Host and X-Forwarded-Proto headers)'
            : '';
        return failure(`GET ${path} answered ${res.statusCode}, expected ${expectStatus}${hint}`);
      }
      if (options.expectText !== undefined && !(res.body ?? '').includes(options.expectText)) {
        return failure(`GET ${path} lacks the expected text`);
      }
      return { status: 'pass', ...observed };
    },
  };
}
