/**
 * Argument parsing of every command: node:util parseArgs, strict, with `-h/--help` added; its errors become
 * {@link UsageError}s so they are printed with the command's usage and exit 2.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The values of `options` plus `help`, or a {@link UsageError}. Positionals are refused. */
export function parseCommandArgs<const O extends Options>(argv: readonly string[], options: O) {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } } as O & {
        help: { type: 'boolean'; short: 'h' };
      },
      strict: true,
      allowPositionals: false,
    });
    return values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), { showUsage: true });
  }
}

/** A whole number within bounds, or a {@link UsageError} naming the option. */
export function integerOption(
  name: string,
  value: string | undefined,
  bounds: { min: number; max?: number },
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || n < bounds.min || (bounds.max !== undefined && n > bounds.max)) {
    throw new UsageError(
      `--${name} must be a whole number ${bounds.max === undefined ? `of at least ${bounds.min}` : `from ${bounds.min} to ${bounds.max}`}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** A duration in seconds (decimals allowed) as milliseconds, or a {@link UsageError} naming the option. */
export function secondsOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${name} must be a number of seconds above 0, got ${JSON.stringify(value)}`);
  }
  return Math.round(n * 1000);
}
