/**
 * Where a command writes, and how: stdout carries the result (lines, or the JSON report), stderr carries errors
 * and progress. Colour follows the NO_COLOR / FORCE_COLOR conventions per stream; everything is injectable so a
 * command is tested without a process.
 */

/** One output stream. */
export interface OutputStream {
  write(text: string): void;
  /** A terminal: progress may be redrawn in place. */
  isTTY: boolean;
  /** Width of the terminal, when it is one. */
  columns?: number;
}

/** What a command reads and writes. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Elapsed-time clock (ms). */
  now: () => number;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  const stream = (s: NodeJS.WriteStream): OutputStream => ({
    write: (text) => void s.write(text),
    get isTTY() {
      return s.isTTY === true;
    },
    get columns() {
      return s.columns;
    },
  });
  return { stdout: stream(process.stdout), stderr: stream(process.stderr), env: process.env, now: Date.now };
}

/**
 * Whether to colour a stream: `NO_COLOR` (any non-empty value) wins, then `FORCE_COLOR` (non-empty and not
 * `0`), then whether the stream is a terminal (https://no-color.org, https://force-color.org).
 */
export function colourEnabled(stream: OutputStream, env: CliIo['env']): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  return stream.isTTY;
}

/** SGR codes the commands use. */
export const Colour = {
  plain: '0',
  bold: '1',
  dim: '2',
  red: '31',
  green: '32',
  yellow: '33',
  cyan: '36',
} as const;
export type Colour = (typeof Colour)[keyof typeof Colour];

/** A painter for one stream: the identity when colour is off. */
export type Paint = (colour: Colour, text: string) => string;

export function painter(enabled: boolean): Paint {
  return enabled ? (colour, text) => `\u001b[${colour}m${text}\u001b[0m` : (_colour, text) => text;
}
