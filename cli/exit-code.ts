/**
 * The one exit-code table of every `healthgate` command, so a script can branch on any of them the same way
 * without parsing output.
 */
import type { Verdict } from '../shared/rollback';

export const ExitCode = {
  /** As expected: every outcome met, the version deployed, the verdict `proceed`. */
  ok: 0,
  /** A mismatch: an expectation not met, the version rolled back, the verdict `rollback`. */
  mismatch: 1,
  /** Usage: bad arguments, a bad scenario file, or input naming nothing that exists; nothing was started. */
  usage: 2,
  /** Could not decide: the verdict `hold`, a timeout, or an infrastructure error (AWS, credentials, the sim). */
  undecided: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The table as every command's `--help` prints it. */
export const EXIT_CODE_HELP = [
  '  0  as expected: every outcome met, deployed, or the verdict proceed',
  '  1  mismatch: an outcome not met, rolled back, or the verdict rollback',
  '  2  usage: bad arguments, a bad scenario file, or an unknown group or template; nothing started',
  '  3  could not decide: the verdict hold, a timeout, or an infrastructure error (AWS, credentials)',
].join('\n');

/** A rollback check's verdict as an exit code: `hold` is not an answer yet. */
export function exitCodeForVerdict(verdict: Verdict): ExitCode {
  switch (verdict) {
    case 'proceed':
      return ExitCode.ok;
    case 'rollback':
      return ExitCode.mismatch;
    case 'hold':
      return ExitCode.undecided;
  }
}
