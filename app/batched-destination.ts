import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import * as onExit from 'on-exit-leak-free';

/** A log file written in batches; a pino destination (`write`) with an explicit flush and close. */
export interface BatchedDestination {
  /** Adds one line; the batch is written once it holds `bytes`. Returns true (never asks to wait). */
  write(line: string): boolean;
  /** Writes what is held now. */
  flushSync(): void;
  /** Flushes and closes the file; later lines are dropped. */
  end(): void;
}

/** Options of {@link createBatchedDestination}. */
export interface BatchedDestinationOptions {
  /** Append to this file; its directory is created. */
  file: string;
  /** Bytes held before they are written. */
  bytes: number;
  /** Longest time a line is held, ms. */
  flushMs: number;
}

/**
 * A file destination for many small lines (the health log: one per probe). Lines are kept as they come and
 * written together, synchronously, when `bytes` are held, every `flushMs`, and at process exit (even an uncaught
 * exception's). pino's own destination (sonic-boom) measures the whole pending batch again at every line, which
 * cost a probe more than the rest of its line (bench/results/health-cost-steps.md); this one measures each line
 * once.
 *
 * @example
 * const health = pino({ level: 'info' }, createBatchedDestination({ file: 'health.log', bytes: 8192, flushMs: 1000 }));
 */
export function createBatchedDestination(options: BatchedDestinationOptions): BatchedDestination {
  mkdirSync(path.dirname(options.file), { recursive: true });
  let fd: number | undefined = openSync(options.file, 'a');
  let lines: string[] = [];
  let held = 0;
  const flushSync = () => {
    if (fd === undefined || lines.length === 0) {
      return;
    }
    const batch = lines.join('');
    lines = [];
    held = 0;
    writeSync(fd, batch);
  };
  const timer = setInterval(flushSync, options.flushMs);
  // The timer must not keep a process alive that has nothing else to do.
  timer.unref();
  const destination: BatchedDestination = {
    write(line) {
      if (fd === undefined) {
        return true;
      }
      lines.push(line);
      held += Buffer.byteLength(line);
      if (held >= options.bytes) {
        flushSync();
      }
      return true;
    },
    flushSync,
    end() {
      flushSync();
      clearInterval(timer);
      onExit.unregister(destination);
      if (fd !== undefined) {
        closeSync(fd);
        fd = undefined;
      }
    },
  };
  // Held weakly: opening many destinations (tests) adds no exit listener each.
  onExit.register(destination, (d) => d.flushSync());
  return destination;
}
