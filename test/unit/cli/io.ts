/** A command's streams captured in memory, for tests of the command line. */
import type { CommandContext } from '../../../cli/command';
import type { CliIo, OutputStream } from '../../../cli/terminal';

export interface CapturedIo {
  context: CommandContext;
  stdout: () => string;
  stderr: () => string;
  abort: () => void;
}

export function captureIo(
  options: { env?: Record<string, string>; stdoutTTY?: boolean; stderrTTY?: boolean } = {},
): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  const stream = (sink: string[], isTTY: boolean): OutputStream => ({
    write: (text) => void sink.push(text),
    isTTY,
    columns: 120,
  });
  const io: CliIo = {
    stdout: stream(out, options.stdoutTTY ?? false),
    stderr: stream(err, options.stderrTTY ?? false),
    env: options.env ?? {},
    now: Date.now,
  };
  const controller = new AbortController();
  return {
    context: { io, signal: controller.signal },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    abort: () => controller.abort(new Error('test abort')),
  };
}
