import type { Verdict } from './verdict';

/** The command line's exit codes: a deploy script can branch on them without parsing output. */
export const RollbackExitCode = {
  proceed: 0,
  rollback: 1,
  hold: 2,
  /** Bad arguments, bad configuration, or the check itself failed (AWS error, group not found). */
  error: 3,
} as const;
export type RollbackExitCode = (typeof RollbackExitCode)[keyof typeof RollbackExitCode];

/** The exit code of a verdict. */
export function exitCodeFor(verdict: Verdict): RollbackExitCode {
  return RollbackExitCode[verdict];
}
