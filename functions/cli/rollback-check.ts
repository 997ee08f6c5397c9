/**
 * `npm run rollback-check -- --asg NAME [--json]`: the rollback check from a terminal or a deploy script.
 * Exit code 0 proceed, 1 rollback, 2 hold, 3 error.
 */
import { runRollbackCheckCli } from './run-rollback-check';

process.exitCode = await runRollbackCheckCli({ argv: process.argv.slice(2) });
