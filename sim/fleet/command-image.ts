/**
 * An image whose program is a shell command: the user's own app, in any language, run as every instance of a
 * version. The fleet starts it through a small watchdog (plain `node -e`, no file to ship) that leads its own
 * process group, so signals reach the whole command (a shell and what it runs) and the command dies with the
 * run that started it, even when that run is killed outright.
 */

/** A command image: what `/bin/sh -c` runs, in the directory given (default the fleet's own). */
export interface CommandImage {
  imageId: string;
  command: string;
  cwd?: string;
  /**
   * Path polled after each start until it answers 200 (`process-ready`); the version's health path, since a
   * user's app need not have the demo app's `/health/live`. Default: the fleet's.
   */
  readinessPath?: string;
}

/** Whether an image runs a shell command rather than a built bundle. */
export const isCommandImage = (image: object): image is CommandImage => 'command' in image;

/**
 * The watchdog, run as `node -e WATCHDOG <command>`: it ignores SIGTERM itself (its group gets it, so the command
 * does too, and the watchdog leaves when the command has drained), kills its whole group when its stdin closes
 * (the fleet's process is gone), and exits as the command did.
 */
export const COMMAND_WATCHDOG = `
const { spawn } = require('node:child_process');
const child = spawn('/bin/sh', ['-c', process.argv[1]], { stdio: ['ignore', 'inherit', 'inherit'] });
const ignore = () => {};
process.on('SIGTERM', ignore);
process.on('SIGINT', ignore);
process.stdin.on('close', () => { try { process.kill(0, 'SIGKILL'); } catch {} });
process.stdin.on('error', ignore);
process.stdin.resume();
child.on('error', (error) => { console.error(error.message); process.exit(127); });
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
`;
