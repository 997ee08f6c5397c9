import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import {
  createHealthRunner,
  HEALTH_CONTENT_TYPE,
  type HealthBody,
  isAuthorised,
  publicView,
} from '../../shared/health';
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
  app: FastifyInstance;
  /** `http://host:port` it answers on. */
  url: string;
  /** Stops answering (as on SIGTERM) without calling `exit`. */
  close(): Promise<void>;
}

/** The exit code after a signal: the boot failed, so the process never ends as a success. */
export const BOOT_FAILURE_EXIT_CODE = 1;

const FAIL_ONLY: HealthBody = Object.freeze({ status: 'fail' });

/**
 * Answers for an app that refused to boot on a configuration error, on the app's own `HOST:PORT`, so a prober
 * learns at once that waiting is pointless: `GET /health` → 503 `application/health+json` with the instance's
 * identity and `configuration:keys` (missing keys named, no values) failing `transient: false`; details only to
 * authorised callers, exactly as the app's health plugin decides (token header or source CIDRs), `{ status }`
 * to everyone else. Every other path, `/health/live` included, → 503 `{ status: 'fail' }`: the process is not
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
  const runner = createHealthRunner({
    checks: bootFailureChecks(error, env),
    identity: { ...settings.identity, instanceId },
    secrets: settings.secrets,
    now: deps.now,
  });

  const app = Fastify({ logger: false });
  app.get('/health', async (request, reply) => {
    // The socket's peer, never X-Forwarded-For, as in the health plugin.
    const authorised = isAuthorised(
      { headers: request.headers, ip: request.socket.remoteAddress ?? '' },
      settings.auth,
    );
    let body: HealthBody = FAIL_ONLY;
    try {
      // The checks fail by construction; `fail` is forced anyway: this process must never look healthy.
      body = { ...(await runner.report()).body, status: 'fail' };
    } catch {
      body = FAIL_ONLY;
    }
    return send(reply, authorised ? body : publicView(body));
  });
  app.setNotFoundHandler(async (_request, reply) => send(reply, FAIL_ONLY));
  app.setErrorHandler(async (_error, _request, reply) => send(reply, FAIL_ONLY));

  await app.listen({ host: settings.host, port: settings.port });
  const address = app.server.address();
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
      app.server.closeAllConnections();
      await app.close();
    })();
    return closing;
  };
  const onSignal = () => {
    void close().finally(() => exit(BOOT_FAILURE_EXIT_CODE));
  };
  signals.once('SIGTERM', onSignal);
  signals.once('SIGINT', onSignal);
  return { app, url, close };
}

function send(reply: FastifyReply, body: HealthBody): FastifyReply {
  return (
    reply
      .code(503)
      .header('content-type', HEALTH_CONTENT_TYPE)
      .header('cache-control', 'no-store')
      // A Buffer, so fastify adds no charset, as the health plugin does.
      .send(Buffer.from(JSON.stringify(body), 'utf8'))
  );
}
