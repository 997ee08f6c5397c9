import { createServer, type Server } from 'node:http';
import {
  createHealthHandler,
  createHealthRunner,
  type HealthReport,
  type HealthRunner,
  healthResponse,
} from '../../shared/health';
import { healthRequestOf, writeHealthResponse } from '../../shared/health/node';
import type { ConfigError } from '../errors';
import { discoverIdentity, type IdentityDeps } from '../instance-identity';
import type { SignalSource } from '../serve';
import { bootFailureChecks } from './checks';
import { BOOT_FAILURE_REPORT_KEY, readBootFailureSettings } from './settings';

/** What {@link startBootFailureReporter} takes from outside. */
export interface BootFailureReporterDeps {
  /** IMDS access (fetch), as the app's own discovery takes it. */
  identity?: IdentityDeps;
  /** Default `process`. */
  signals?: SignalSource;
  /** Called once after a signal closed the server; default `process.exit`. */
  exit?: (code: number) => void;
  /** Log lines; default stderr. */
  print?: (line: string) => void;
  /** Clock of the checks' `time`; default `Date.now`. */
  now?: () => number;
}

/** A running boot-failure report. */
export interface BootFailureReporter {
  server: Server;
  /** `http://host:port` it answers on. */
  url: string;
  /** Stops answering (as on SIGTERM) without calling `exit`. */
  close(): Promise<void>;
}

/** The exit code after a signal: the boot failed, so the process never ends as a success. */
export const BOOT_FAILURE_EXIT_CODE = 1;

const FAIL_ONLY = healthResponse(503, { status: 'fail' });

/**
 * Answers for an app that refused to boot on a configuration error, on the app's own `HOST:PORT`, so a prober
 * learns at once that waiting is pointless: `GET /health` → 503 `application/health+json` with the instance's
 * identity and `configuration:keys` (missing keys named, no values) failing `transient: false`; details only to
 * authorised callers, by the health library's own handler (token header or source CIDRs, as the app decides),
 * `{ status }` to everyone else. Every other path, `/health/live` included, → 503 `{ status: 'fail' }`: the process is not
 * the app, and nothing may take it for one. SIGTERM/SIGINT close it and exit {@link BOOT_FAILURE_EXIT_CODE}.
 *
 * Throws ConfigError when `HOST`/`PORT` are themselves invalid, and the listen error when the port is taken:
 * the caller then exits as without the report.
 *
 * @example
 * await startBootFailureReporter(error, env); // after loadConfig(env) threw ConfigError
 */
export async function startBootFailureReporter(
  error: ConfigError,
  env: Readonly<Record<string, string | undefined>>,
  deps: BootFailureReporterDeps = {},
): Promise<BootFailureReporter> {
  const print = deps.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const settings = readBootFailureSettings(env);
  if (settings.ignored.length > 0) {
    print(`healthgate: boot-failure report ignores invalid ${settings.ignored.join(', ')}`);
  }
  let { instanceId } = settings.identity;
  if (settings.imds) {
    try {
      instanceId = (await discoverIdentity(settings.imds, deps.identity)).instanceId;
    } catch (cause) {
      // Without a proven identity the gate cannot act on the report and falls back to its deadline.
      print(
        `healthgate: boot-failure report: instance metadata unavailable (${(cause as Error).message}); instanceId ${instanceId ?? 'unknown'}`,
      );
    }
  }
  const runner = alwaysFailing(
    createHealthRunner({
      checks: bootFailureChecks(error, env),
      identity: { ...settings.identity, instanceId },
      secrets: settings.secrets,
      now: deps.now,
    }),
  );
  // The library's handler serves /health; no liveness route: the process is not the app.
  const health = createHealthHandler({ runner, auth: settings.auth, livePath: false });
  const server = createServer((req, res) => {
    const result = health(healthRequestOf(req));
    if (result === undefined) {
      writeHealthResponse(res, FAIL_ONLY);
    } else if (result instanceof Promise) {
      void result.then((response) => writeHealthResponse(res, response));
    } else {
      writeHealthResponse(res, result);
    }
  });

  // A taken port (EADDRINUSE) rejects here: the caller then exits as without the report.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: settings.host, port: settings.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  print(
    `healthgate: ${BOOT_FAILURE_REPORT_KEY}=serve: the app is not started (${error.keys.join(', ') || error.message}); ${url}/health answers 503 until stopped`,
  );

  const signals = deps.signals ?? process;
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      signals.removeListener('SIGTERM', onSignal);
      signals.removeListener('SIGINT', onSignal);
      // Nothing here is worth draining: a probe cut short is as good as a 503.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    })();
    return closing;
  };
  const onSignal = () => {
    void close().finally(() => exit(BOOT_FAILURE_EXIT_CODE));
  };
  signals.once('SIGTERM', onSignal);
  signals.once('SIGINT', onSignal);
  return { server, url, close };
}

/**
 * `runner` with every report failing (503): the checks fail by construction, and `fail` is forced anyway, since
 * this process must never look healthy. Each report is rewritten once, so the handler serialises it once.
 */
function alwaysFailing(runner: HealthRunner): HealthRunner {
  const failed = new WeakMap<HealthReport, HealthReport>();
  return {
    get runs() {
      return runner.runs;
    },
    async report() {
      const report = await runner.report();
      let forced = failed.get(report);
      if (forced === undefined) {
        forced = Object.freeze({
          body: Object.freeze({ ...report.body, status: 'fail' as const }),
          httpStatus: 503 as const,
        });
        failed.set(report, forced);
      }
      return forced;
    },
  };
}
