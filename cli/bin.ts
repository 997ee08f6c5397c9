/**
 * The `healthgate` process: runs one command line, then exits with its code. SIGINT/SIGTERM abort the command
 * (a deploy removes what it made, a rehearsal stops its instances); a second one exits at once.
 */
import { COMMANDS } from './commands/index';
import { ExitCode } from './exit-code';
import { runCli } from './main';
import { processIo } from './terminal';

const controller = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (controller.signal.aborted) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  controller.abort(new Error(`interrupted by ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

runCli(process.argv.slice(2), { io: processIo(), signal: controller.signal }, COMMANDS).then(
  // Exit explicitly, once stdout is flushed: a stray handle (an SDK socket, a timer) must not keep a finished
  // command alive, and a JSON report piped to another program must arrive whole.
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(
      `healthgate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(ExitCode.undecided);
  },
);
