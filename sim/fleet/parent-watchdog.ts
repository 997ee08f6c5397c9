/**
 * An instance process exits when its parent goes away: the parent holds the write end of our stdin, and the
 * kernel closes it however the parent died (even SIGKILL), so no instance outlives the run that started it.
 */
export function exitWithParent(
  stdin: NodeJS.ReadStream = process.stdin,
  exit = (code: number) => process.exit(code),
): void {
  stdin.on('end', () => exit(0));
  stdin.on('error', () => exit(0));
  stdin.resume();
}
