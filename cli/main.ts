/**
 * `healthgate <command>`: finds the command, runs it, and turns whatever it throws into the exit-code table's
 * answer (a usage error: 2, with the command's usage; anything else: 3, named).
 */
import type { Command, CommandContext } from './command';
import { ExitCode } from './exit-code';
import { formatCommandHelp, formatMainHelp } from './help';
import { UsageError } from './usage-error';

/** The package's version, printed by `--version`. */
export const VERSION = '0.1.0';

/**
 * Runs one command line and returns its exit code; never throws.
 *
 * @example
 * const code = await runCli(['check', '--group', 'web-v2'], { io: processIo(), signal }, COMMANDS);
 */
export async function runCli(
  argv: readonly string[],
  context: CommandContext,
  commands: readonly Command[],
): Promise<ExitCode> {
  const { io } = context;
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(formatMainHelp(commands));
    return ExitCode.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(formatMainHelp(commands));
    return ExitCode.ok;
  }
  if (name === '--version') {
    io.stdout.write(`healthgate ${VERSION}\n`);
    return ExitCode.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(
      `healthgate: unknown command ${JSON.stringify(name)}; the commands are ${commands.map((c) => c.name).join(', ')} (healthgate --help)\n`,
    );
    return ExitCode.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(formatCommandHelp(command.name, command.help));
    return ExitCode.ok;
  }
  try {
    return await command.run(rest, context);
  } catch (error) {
    if (error instanceof UsageError) {
      const lines = [`healthgate ${command.name}: ${error.message}`, ...error.problems.map((p) => `  ${p}`)];
      if (error.showUsage) lines.push(`usage: ${command.help.usage}   (healthgate ${command.name} --help)`);
      io.stderr.write(`${lines.join('\n')}\n`);
      return ExitCode.usage;
    }
    io.stderr.write(`healthgate ${command.name}: ${describeError(error)}\n`);
    return ExitCode.undecided;
  }
}

/** `Name: message`, and the cause's when it says more. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = `${error.name}: ${error.message}`;
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !error.message.includes(cause) ? `${own} (${cause})` : own;
}
