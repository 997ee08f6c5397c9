/**
 * Progress of a long command on one stream: timeline lines, and the status line. On a terminal the status
 * line stays at the bottom, redrawn in place as time passes; elsewhere (a pipe, a CI log) it is a plain line
 * each time the step changes.
 */
import { formatStatus, type StatusSnapshot } from './status';
import type { OutputStream } from './terminal';

/** Where a command reports as it goes. */
export interface Progress {
  /** A permanent line (a timeline entry). */
  line(text: string): void;
  /** The current status (redrawn, or printed when its step changed). */
  status(snapshot: StatusSnapshot): void;
  /** Clears the live line: the command's result follows. */
  done(): void;
}

const CLEAR_LINE = '\r\u001b[2K';

/** Progress on `stream`; `snapshot` is asked for the status as time passes on a terminal. */
export function createProgress(
  stream: OutputStream,
  snapshot: () => StatusSnapshot,
  options: { redrawMs?: number } = {},
): Progress {
  if (!stream.isTTY) {
    let lastStep: string | undefined;
    return {
      line: (text) => stream.write(`${text}\n`),
      status(s) {
        if (s.step === lastStep) return;
        lastStep = s.step;
        stream.write(`[status] ${formatStatus(s)}\n`);
      },
      done: () => undefined,
    };
  }
  let current: string | undefined;
  const draw = (s: StatusSnapshot) => {
    current = formatStatus(s, stream.columns ? stream.columns - 1 : undefined);
    stream.write(`${CLEAR_LINE}${current}`);
  };
  // Elapsed time moves even when nothing else does.
  const timer = setInterval(() => draw(snapshot()), options.redrawMs ?? 250);
  timer.unref();
  return {
    line(text) {
      stream.write(`${CLEAR_LINE}${text}\n`);
      if (current !== undefined) stream.write(current);
    },
    status: draw,
    done() {
      clearInterval(timer);
      if (current !== undefined) stream.write(CLEAR_LINE);
      current = undefined;
    },
  };
}

/** Progress that shows nothing (`--json` with stderr not a terminal). */
export const silentProgress: Progress = {
  line: () => undefined,
  status: () => undefined,
  done: () => undefined,
};
