/** What every `healthgate` command is: a name, its help, and a run that returns an exit code. */
import type { ExitCode } from './exit-code';
import type { CliIo } from './terminal';

/** The commands, a closed set. */
export const CommandName = {
  rehearse: 'rehearse',
  deploy: 'deploy',
  check: 'check',
  sim: 'sim',
  app: 'app',
} as const;
export type CommandName = (typeof CommandName)[keyof typeof CommandName];

/** One option as `--help` lists it. */
export interface OptionHelp {
  /** `--scenario NAME`, `-h, --help`. */
  flag: string;
  text: string;
}

/** A command's `--help`: usage, options, exit codes (the shared table unless given) and examples. */
export interface CommandHelp {
  summary: string;
  usage: string;
  description?: string;
  options: readonly OptionHelp[];
  examples: readonly string[];
  /** Replaces the shared table when a command uses only part of it. */
  exitCodes?: string;
}

/** A running command's context: its streams, and a signal aborted on SIGINT/SIGTERM. */
export interface CommandContext {
  io: CliIo;
  signal: AbortSignal;
}

export interface Command {
  name: CommandName;
  help: CommandHelp;
  /** Never throws for an expected failure: a {@link UsageError} is exit 2, any other error exit 3. */
  run(argv: readonly string[], context: CommandContext): Promise<ExitCode>;
}
