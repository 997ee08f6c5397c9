/** `healthgate check`: the rollback check of one group, from a terminal or a deploy script. */
import { type FunctionConfig, loadFunctionConfig } from '../../shared/config';
import {
  createRollbackCheck,
  formatReport,
  parseRollbackInput,
  type RollbackCheck,
} from '../../shared/rollback';
import { parseCommandArgs } from '../args';
import { AwsProblemKind, describeAwsProblem } from '../aws-problem';
import { type Command, CommandName } from '../command';
import { ExitCode, exitCodeForVerdict } from '../exit-code';
import { Colour, colourEnabled, painter } from '../terminal';
import { UsageError } from '../usage-error';

const OPTIONS = {
  group: { type: 'string', short: 'g' },
  asg: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const VERDICT_COLOUR = { proceed: Colour.green, rollback: Colour.red, hold: Colour.yellow } as const;

/** Builds the check; replaced in tests. */
export type CheckFactory = (config: FunctionConfig) => RollbackCheck;

/** The command, with the check it runs injectable. */
export function createCheckCommand(
  createCheck: CheckFactory = (config) => createRollbackCheck({ config }),
): Command {
  return {
    name: CommandName.check,
    help: {
      summary: 'judge an Auto Scaling group now: proceed, hold or rollback, with reasons',
      usage: 'healthgate check --group NAME [--json]',
      description: [
        "Checks every instance of the group (lifecycle state, load balancers' verdicts, deep /health, version)",
        "and says whether its rollout may proceed. Probing follows the group's gate policy in SSM; the",
        "environment is the Lambda function's (POLICY_PREFIX, PROBE_CIDRS, HEALTH_TOKEN_PARAMETER,",
        "HEALTH_TOKEN_HEADER) and AWS is the SDK's own (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL).",
      ].join('\n'),
      options: [
        { flag: '-g, --group NAME', text: 'the Auto Scaling group to check (--asg NAME is the same)' },
        { flag: '--json', text: 'the report as JSON on stdout instead of a table' },
        { flag: '-h, --help', text: 'this help' },
      ],
      exitCodes: [
        '  0  proceed',
        '  1  rollback',
        '  2  usage: bad arguments, or no group of that name',
        '  3  hold (not decided yet), or the check failed (configuration, AWS, credentials)',
      ].join('\n'),
      examples: ['healthgate check --group web-v2', 'healthgate check --group web-v2 --json | jq .verdict'],
    },
    async run(argv, { io }) {
      const values = parseCommandArgs(argv, OPTIONS);
      const raw = values.group ?? values.asg;
      if (raw === undefined) throw new UsageError('missing --group NAME', { showUsage: true });
      let group: string;
      try {
        group = parseRollbackInput({ autoScalingGroupName: raw }).autoScalingGroupName;
      } catch (error) {
        throw new UsageError(
          `--group ${(error as Error).message.replace(/^invalid input: autoScalingGroupName: /, '')}`,
        );
      }
      const config = loadFunctionConfig(io.env);
      const check = createCheck(config);
      let report: Awaited<ReturnType<RollbackCheck>>;
      try {
        report = await check(group);
      } catch (error) {
        const problem = describeAwsProblem(error);
        if (problem.kind === AwsProblemKind.notFound) throw new UsageError(problem.message);
        io.stderr.write(`healthgate check: ${problem.message}\n`);
        return ExitCode.undecided;
      }
      if (values.json) {
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        const paint = painter(colourEnabled(io.stdout, io.env));
        io.stdout.write(
          formatReport(report).replace(/verdict: (\w+)/, (all, v: string) =>
            paint(VERDICT_COLOUR[v.toLowerCase() as keyof typeof VERDICT_COLOUR] ?? Colour.plain, all),
          ),
        );
      }
      return exitCodeForVerdict(report.verdict);
    },
  };
}

export const checkCommand = createCheckCommand();
