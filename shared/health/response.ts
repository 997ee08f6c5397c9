import { drainingBody } from './body.js';
import { HEALTH_CONTENT_TYPE, type HealthBody, type HealthReport } from './types.js';

/**
 * What a health route answers, framework-free: the HTTP status, the headers (content type, `no-store`,
 * content length) and the serialised body. Responses may be shared between requests: never mutate one.
 */
export interface HealthResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** UTF-8 JSON; a Buffer, so no framework appends `; charset=…` to a JSON media type (RFC 8259 fixes UTF-8). */
  readonly body: Buffer;
  /** Why the report was unavailable (the runner rejected), for the adapter to log; never served. */
  readonly error?: unknown;
}

/**
 * A response serving `body` with `status`, serialised now. The routes below serialise each distinct body once;
 * this is for bodies of one's own (e.g. an answer for every other path).
 *
 * @example
 * healthResponse(503, { status: 'fail' }); // 503, application/health+json, no-store, {"status":"fail"}
 */
export function healthResponse(status: number, body: HealthBody): HealthResponse {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  return Object.freeze({
    status,
    headers: Object.freeze({
      'content-type': HEALTH_CONTENT_TYPE,
      'cache-control': 'no-store',
      'content-length': String(bytes.length),
    }),
    body: bytes,
  });
}

/** The liveness answer: always the same bytes. */
export const LIVE_RESPONSE = healthResponse(200, { status: 'pass' });

/** While draining: fail before any check, with the reason for authorised callers only. */
export const DRAINING_RESPONSES = {
  full: healthResponse(503, drainingBody()),
  public: healthResponse(503, { status: 'fail' }),
} as const;

const UNAVAILABLE = {
  full: healthResponse(503, { status: 'fail', output: 'health report unavailable' }),
  public: healthResponse(503, { status: 'fail' }),
} as const;

/** The answer when the runner rejected: 503 without detail, and the error for the adapter's log. */
export function unavailableResponse(error: unknown, authorised: boolean): HealthResponse {
  return { ...(authorised ? UNAVAILABLE.full : UNAVAILABLE.public), error };
}

// What an unauthorised caller sees depends on the status alone: one response per status and HTTP status.
const publicResponses = new Map<string, HealthResponse>();

/**
 * `{ status }` and nothing else (see `publicView`), serialised once per status. Version and instance id stay
 * hidden too: they tell an outsider what runs where.
 */
export function publicResponse(report: HealthReport): HealthResponse {
  const key = `${report.httpStatus} ${report.body.status}`;
  let response = publicResponses.get(key);
  if (response === undefined) {
    response = healthResponse(report.httpStatus, { status: report.body.status });
    publicResponses.set(key, response);
  }
  return response;
}

// A runner hands out the same frozen report until its cache expires: serialise each report once, not per request.
const fullResponses = new WeakMap<HealthReport, HealthResponse>();

/** The full body of `report`, serialised once per report object. */
export function fullResponse(report: HealthReport): HealthResponse {
  let response = fullResponses.get(report);
  if (response === undefined) {
    response = healthResponse(report.httpStatus, report.body);
    fullResponses.set(report, response);
  }
  return response;
}
