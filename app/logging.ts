import type { IncomingMessage } from 'node:http';
import { pino } from 'pino';
import { createBatchedDestination } from './batched-destination';
import { isHealthPath } from './https-redirect';

/** The app's two log streams: main (application and access lines) and health (health requests only). */
export interface AppLoggers {
  main: pino.Logger;
  health: pino.Logger;
}

/** Where the two streams go. */
export interface LogDestinations {
  main: pino.DestinationStream;
  health: pino.DestinationStream;
}

/** Header paths never written to a log; the health token's header is added per configuration. */
function redactPaths(tokenHeader: string): string[] {
  const headers = ['authorization', 'cookie', 'x-health-token', tokenHeader.toLowerCase()];
  return [...new Set(headers)].flatMap((h) => [`req.headers["${h}"]`, `headers["${h}"]`]);
}

/** How much of the health log may wait in memory, and for how long, before it is written. */
export const HEALTH_LOG_BUFFER = { bytes: 8192, flushMs: 1000 } as const;

/**
 * Opens the two destinations: the main log on stdout (or `accessLogFile`), the health log in `healthLogFile`
 * (directory created). Main log writes are synchronous: a line is on disk when the request has been answered.
 * The health log is written in batches, synchronously (at {@link HEALTH_LOG_BUFFER}'s size or age, and at
 * exit; ./batched-destination): it takes a line for every probe, and a write per line, or an asynchronous write
 * through the thread pool, cost a probe more than answering it (bench/results/health-cost-steps.md).
 */
export function openLogDestinations(options: {
  accessLogFile?: string;
  healthLogFile: string;
}): LogDestinations {
  return {
    main: options.accessLogFile
      ? pino.destination({ dest: options.accessLogFile, mkdir: true, sync: true })
      : pino.destination({ dest: 1, sync: true }),
    health: createBatchedDestination({
      file: options.healthLogFile,
      bytes: HEALTH_LOG_BUFFER.bytes,
      flushMs: HEALTH_LOG_BUFFER.flushMs,
    }),
  };
}

/** Two pino loggers over `destinations`, secrets in headers (and `tokenHeader`) redacted. */
export function createLoggers(
  destinations: LogDestinations,
  level: string,
  tokenHeader = 'x-health-token',
): AppLoggers {
  const redact = redactPaths(tokenHeader);
  return {
    main: pino({ level, redact, base: { stream: 'main' } }, destinations.main),
    health: pino({ level, redact, base: { stream: 'health' } }, destinations.health),
  };
}

/**
 * Whether a raw request belongs in the health log: a health route, or the deep health's own in-process page
 * render (marked with a per-process nonce header nobody outside can guess).
 */
export function isHealthRequest(raw: IncomingMessage, internal: { header: string; nonce: string }): boolean {
  return isHealthPath(raw.url ?? '') || raw.headers[internal.header] === internal.nonce;
}
