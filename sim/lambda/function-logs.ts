/**
 * What a function writes to stdout and stderr, kept with the invocation that wrote it, as Lambda sends each
 * invocation's output to its CloudWatch Logs stream. Handlers run in this process, so the writes are told apart
 * by the invocation's async context; writes from anything else pass through untouched.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** An invocation's log: its lines, in order. */
export interface LogStream {
  lines: string[];
  /** Also let the lines through to the process's own output (a developer watching). */
  echo: boolean;
}

const current = new AsyncLocalStorage<LogStream>();
let installed = false;

/** Routes the process's stdout and stderr writes made inside {@link captureLogs} to their stream. Idempotent. */
function install(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const log = current.getStore();
      if (!log) return write(chunk, ...rest);
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      for (const line of text.split('\n')) if (line !== '') log.lines.push(line);
      if (log.echo) return write(chunk, ...rest);
      // The write is done as far as the caller knows: call its callback, as a stream would.
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
}

/**
 * Runs `fn` with its output going to `log` (everything it starts, awaits or schedules included).
 *
 * @example
 * const log: LogStream = { lines: [], echo: false };
 * await captureLogs(log, () => handler(event, context));
 */
export function captureLogs<T>(log: LogStream, fn: () => T): T {
  install();
  return current.run(log, fn);
}

/** The JSON objects among a log's lines (structured loggers write one per line). */
export function jsonLines(lines: readonly string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value))
        out.push(value as Record<string, unknown>);
    } catch {
      // A line that only looks like JSON: kept as text.
    }
  }
  return out;
}
