import { buildBody, type NamedEntry, toReport } from './body.js';
import { HealthConfigError } from './errors.js';
import { runCheck } from './run-check.js';
import type { HealthCheck, HealthIdentity, HealthReport, HealthRunner } from './types.js';

/** Who this instance is, or a function that says so at each run (the instance id may arrive after boot). */
export type IdentitySource = HealthIdentity | (() => HealthIdentity | Promise<HealthIdentity>);

/** Options of {@link createHealthRunner}. */
export interface HealthRunnerOptions {
  checks: HealthCheck[];
  /** How long a finished report is reused, in ms; default 1000. 0 disables caching but keeps single-flight. */
  cacheTtlMs?: number;
  identity?: IdentitySource;
  /** Clock in ms since the epoch; default `Date.now`. */
  now?: () => number;
  /** Literal values (passwords, tokens, the database URL) redacted from every output, whatever a check says. */
  secrets?: readonly string[];
}

const DEFAULT_CACHE_TTL_MS = 1000;

/**
 * Builds a runner over `checks`. Each report runs every check in parallel, each bounded by its own
 * `timeoutMs`; concurrent callers share one run (single-flight) and a finished report is reused for
 * `cacheTtlMs`, so a burst of probes cannot multiply the load on the database.
 *
 * @example
 * const runner = createHealthRunner({
 *   checks: [requiredConfigCheck({ keys: ['DATABASE_URL'] }), databaseCheck({ ping: (s) => db.ping(s) })],
 *   identity: () => ({ version: '1.4.2', instanceId: imds.instanceId }),
 * });
 * const { body, httpStatus } = await runner.report();
 */
export function createHealthRunner(options: HealthRunnerOptions): HealthRunner {
  const checks = validateChecks(options.checks);
  const ttl = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  if (!Number.isFinite(ttl) || ttl < 0) {
    throw new HealthConfigError('cacheTtlMs must be a finite number >= 0', { cacheTtlMs: ttl });
  }
  const now = options.now ?? Date.now;
  const secrets = options.secrets ?? [];
  let runs = 0;
  let inflight: Promise<HealthReport> | undefined;
  let cached: { report: HealthReport; at: number } | undefined;

  async function runOnce(): Promise<HealthReport> {
    runs += 1;
    const [identity, entries] = await Promise.all([
      resolveIdentity(options.identity),
      Promise.all(
        checks.map(
          async (check): Promise<NamedEntry> => ({
            name: check.name,
            entry: await runCheck(check, { now, secrets }),
          }),
        ),
      ),
    ]);
    return freeze(toReport(buildBody(identity, entries)));
  }

  return {
    get runs() {
      return runs;
    },
    cached() {
      return cached && isFresh(cached.at, now(), ttl) ? cached.report : undefined;
    },
    report() {
      if (cached && isFresh(cached.at, now(), ttl)) {
        return Promise.resolve(cached.report);
      }
      if (inflight) {
        return inflight;
      }
      const run = runOnce().then((report) => {
        cached = { report, at: now() };
        return report;
      });
      inflight = run;
      // Settled either way, the next caller starts afresh: a rejected run is never cached.
      const clear = () => {
        if (inflight === run) {
          inflight = undefined;
        }
      };
      run.then(clear, clear);
      return run;
    },
  };
}

/** A clock that went backwards makes the cache stale rather than fresh forever. */
function isFresh(at: number, now: number, ttl: number): boolean {
  const age = now - at;
  return age >= 0 && age < ttl;
}

async function resolveIdentity(source: IdentitySource | undefined): Promise<HealthIdentity> {
  if (source === undefined) {
    return {};
  }
  return typeof source === 'function' ? await source() : source;
}

function validateChecks(checks: readonly HealthCheck[]): HealthCheck[] {
  for (const check of checks) {
    if (typeof check.name !== 'string' || check.name.trim() === '') {
      throw new HealthConfigError('a health check needs a name', { check });
    }
    if (!Number.isFinite(check.timeoutMs) || check.timeoutMs <= 0) {
      throw new HealthConfigError(`check ${check.name}: timeoutMs must be a positive number`, {
        check: check.name,
        timeoutMs: check.timeoutMs,
      });
    }
    if (typeof check.run !== 'function') {
      throw new HealthConfigError(`check ${check.name}: run must be a function`, { check: check.name });
    }
  }
  return [...checks];
}

/** Cached reports are shared between callers: none may alter what the next one is served. */
function freeze(report: HealthReport): HealthReport {
  for (const entries of Object.values(report.body.checks ?? {})) {
    for (const entry of entries) {
      Object.freeze(entry);
    }
    Object.freeze(entries);
  }
  Object.freeze(report.body.checks);
  Object.freeze(report.body);
  return Object.freeze(report);
}
