/** Typed error of the command line: what the user asked for cannot be done as asked (exit 2). */

/** Bad arguments, a bad scenario file, or input naming nothing that exists; nothing was started. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** One line per problem (a scenario file's every bad field); `message` alone when there is one. */
  readonly problems: readonly string[];
  /** Print the command's usage after the message: the arguments themselves were wrong. */
  readonly showUsage: boolean;

  constructor(message: string, options: { problems?: readonly string[]; showUsage?: boolean } = {}) {
    super(message);
    this.problems = options.problems ?? [];
    this.showUsage = options.showUsage ?? false;
  }
}
