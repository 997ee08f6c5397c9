import { parseArgs } from 'node:util';
import { type FunctionConfig, loadFunctionConfig } from '../../shared/config';
import {
  createRollbackCheck,
  exitCodeFor,
  formatReport,
  parseRollbackInput,
  type RollbackCheck,
  RollbackExitCode,
} from '../../shared/rollback';

/** The command line's usage text. */
export const USAGE = `usage: npm run rollback-check -- --asg NAME [--json]

Checks every instance of an Auto Scaling group (lifecycle state, load balancers, deep /health, version)
and prints a verdict. Configuration comes from the same environment as the Lambda function
(POLICY_PREFIX, PROBE_CIDRS, HEALTH_TOKEN_PARAMETER, HEALTH_TOKEN_HEADER) and AWS from the SDK's own
(AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL).

  --asg NAME   the Auto Scaling group to check
  --json       print the report as JSON instead of a table
  -h, --help   print this help

exit codes: 0 proceed, 1 rollback, 2 hold, 3 error (bad arguments or configuration, AWS failure)
`;

/** What the command line reads and writes; everything injectable for tests. */
export interface RollbackCheckCliOptions {
  argv: readonly string[];
  env?: Record<string, string | undefined>;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Default: {@link createRollbackCheck} with real adapters. */
  createCheck?: (config: FunctionConfig) => RollbackCheck;
}

/**
 * Runs the rollback check from the command line and returns the exit code (see {@link RollbackExitCode}).
 * Never throws: every failure is printed to stderr with exit code 3.
 */
export async function runRollbackCheckCli(options: RollbackCheckCliOptions): Promise<RollbackExitCode> {
  const stdout = options.stdout ?? ((text: string) => process.stdout.write(text));
  const stderr = options.stderr ?? ((text: string) => process.stderr.write(text));
  const fail = (message: string, usage = false) => {
    stderr(`rollback-check: ${message}\n${usage ? `\n${USAGE}` : ''}`);
    return RollbackExitCode.error;
  };

  let values: { asg?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...options.argv],
      options: {
        asg: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error), true);
  }
  if (values.help) {
    stdout(USAGE);
    return RollbackExitCode.proceed;
  }
  if (values.asg === undefined) return fail('missing --asg NAME', true);

  let group: string;
  let check: RollbackCheck;
  try {
    group = parseRollbackInput({ autoScalingGroupName: values.asg }).autoScalingGroupName;
  } catch (error) {
    return fail(`--asg ${(error as Error).message.replace(/^invalid input: autoScalingGroupName: /, '')}`);
  }
  try {
    const config = loadFunctionConfig(options.env ?? process.env);
    check = (options.createCheck ?? ((c) => createRollbackCheck({ config: c })))(config);
  } catch (error) {
    return fail(describeError(error));
  }

  try {
    const report = await check(group);
    stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return exitCodeFor(report.verdict);
  } catch (error) {
    return fail(describeError(error));
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
