/**
 * `healthgate rehearse`: a whole blue/green rollout on this machine (the sim's AWS APIs on loopback, the real
 * launch-gate handler, real instances running the demo app or the user's own command), held to the scenario's
 * expected outcomes, with a JSON and an HTML report.
 */
import { writeReports } from '../../sim/report/write';
import {
  APP_SCENARIO,
  DEFAULT_SCENARIO,
  findScenario,
  loadScenarioFile,
  runScenario,
  SCENARIOS,
  type Scenario,
  ScenarioFileError,
  withApp,
} from '../../sim/scenarios';
import { integerOption, parseCommandArgs } from '../args';
import { type Command, CommandName } from '../command';
import { ExitCode } from '../exit-code';
import { createProgress, silentProgress } from '../progress';
import { StatusTracker } from '../status';
import { colourEnabled, painter } from '../terminal';
import { formatEntry, formatSummary } from '../timeline-format';
import { UsageError } from '../usage-error';

const OPTIONS = {
  scenario: { type: 'string', short: 's' },
  'scenario-file': { type: 'string', short: 'f' },
  app: { type: 'string' },
  'health-path': { type: 'string' },
  list: { type: 'boolean' },
  validate: { type: 'boolean' },
  'report-dir': { type: 'string' },
  json: { type: 'boolean' },
  'function-logs': { type: 'boolean' },
  seed: { type: 'string' },
} as const;

/** The scenario the arguments name, checked as a whole before anything starts. */
async function chooseScenario(values: {
  scenario?: string;
  'scenario-file'?: string;
  app?: string;
  'health-path'?: string;
}): Promise<Scenario> {
  if (values.scenario !== undefined && values['scenario-file'] !== undefined) {
    throw new UsageError('give --scenario NAME or --scenario-file FILE, not both', { showUsage: true });
  }
  let scenario: Scenario;
  try {
    if (values['scenario-file'] !== undefined) {
      scenario = await loadScenarioFile(values['scenario-file']);
    } else {
      const name = values.scenario ?? (values.app !== undefined ? APP_SCENARIO : DEFAULT_SCENARIO);
      const found = findScenario(name);
      if (!found) {
        throw new UsageError(
          `unknown scenario ${name}; the built-in ones are ${SCENARIOS.map((s) => s.name).join(', ')} (--list says what each does)`,
        );
      }
      scenario = found;
    }
    if (values.app !== undefined) {
      if (values.app.trim() === '')
        throw new UsageError('--app needs a command, e.g. --app "python3 app.py"');
      scenario = withApp(scenario, values.app);
    }
  } catch (error) {
    if (error instanceof ScenarioFileError) {
      throw new UsageError(`${error.source}: the scenario cannot run`, { problems: error.problems });
    }
    throw error;
  }
  const healthPath = values['health-path'];
  if (healthPath !== undefined) {
    if (!/^\/[\x21-\x7e]*$/.test(healthPath)) {
      throw new UsageError(`--health-path must be a path starting with /, got ${JSON.stringify(healthPath)}`);
    }
    scenario = { ...scenario, policy: { ...scenario.policy, path: healthPath } };
  }
  return scenario;
}

export const rehearseCommand: Command = {
  name: CommandName.rehearse,
  help: {
    summary: 'play a blue/green rollout on this machine: the real gate, real instances, your app or the demo',
    usage:
      'healthgate rehearse [--scenario NAME | --scenario-file FILE] [--app "COMMAND"] [--json] [options]',
    description: [
      "The sim's AWS APIs on loopback, the unchanged launch-gate function, and every instance a real process on",
      'its own address 127.0.1.N: the demo app, or with --app your own program in any language. Each deploy',
      "runs the blue/green driver; each outcome is checked against the scenario's expectations, and a JSON and",
      'an HTML report are written. With --app, each instance runs COMMAND (through /bin/sh, in this directory)',
      'with HOST and PORT to listen on, HEALTHGATE_INSTANCE_ID, AWS_EC2_METADATA_SERVICE_ENDPOINT (IMDSv2),',
      'APP_VERSION, and its configuration as variables (secret-key → SECRET_KEY); the gate probes',
      'http://HOST:PORT/health (or --health-path). docs/rollout-and-cli.md has the whole contract and the',
      'scenario file format.',
    ].join('\n'),
    options: [
      {
        flag: '-s, --scenario NAME',
        text: `a built-in scenario (default ${DEFAULT_SCENARIO}; with --app: ${APP_SCENARIO})`,
      },
      {
        flag: '-f, --scenario-file FILE',
        text: 'a scenario file, YAML or JSON (the built-in ones are in sim/scenarios/builtin/)',
      },
      { flag: '--app "COMMAND"', text: 'run COMMAND as every version that names no command of its own' },
      {
        flag: '--health-path PATH',
        text: "the path the gate and the load balancer probe (the policy's path; default /health)",
      },
      { flag: '--list', text: 'list the built-in scenarios and exit' },
      { flag: '--validate', text: 'check the scenario (and --app) and exit without running it' },
      { flag: '--report-dir DIR', text: 'where <scenario>.json and <scenario>.html go (default reports)' },
      { flag: '--json', text: 'the JSON report on stdout; progress on stderr only when it is a terminal' },
      { flag: '--function-logs', text: "the gate's own log lines and metrics too" },
      { flag: '--seed N', text: 'seed of ids and API fault decisions (default 1)' },
      { flag: '-h, --help', text: 'this help' },
    ],
    exitCodes: [
      '  0  every expected outcome met',
      '  1  a mismatch: an outcome not as expected (each one named)',
      '  2  usage: bad arguments, an unknown scenario, or a scenario file with problems (each one named)',
      '  3  the run itself failed (the sim or the fleet could not start, interrupted)',
    ].join('\n'),
    examples: [
      'healthgate rehearse',
      'healthgate rehearse --scenario pending-migration',
      'healthgate rehearse --app "python3 examples/python-app/app.py"',
      'healthgate rehearse --scenario-file examples/python-app/rollout.yaml --json > report.json',
    ],
  },
  async run(argv, { io, signal }) {
    const values = parseCommandArgs(argv, OPTIONS);
    if (values.list) {
      const width = Math.max(...SCENARIOS.map((s) => s.name.length));
      for (const s of SCENARIOS) {
        io.stdout.write(
          `${s.name.padEnd(width)}  ${s.name === DEFAULT_SCENARIO ? '(default) ' : ''}${s.description}\n`,
        );
      }
      return ExitCode.ok;
    }
    const seed = integerOption('seed', values.seed, { min: 0 }) ?? 1;
    const scenario = await chooseScenario(values);
    if (values.validate) {
      const deploys = scenario.steps.filter((s) => s.kind === 'deploy').length;
      io.stdout.write(
        `${scenario.name}: valid (${scenario.versions.length} version(s), ${scenario.steps.length} step(s), ${deploys} deploy(s))\n`,
      );
      return ExitCode.ok;
    }

    // The report is the output: on stdout as lines, or as JSON with the progress on a terminal's stderr.
    const stream = values.json ? io.stderr : io.stdout;
    const paint = painter(colourEnabled(stream, io.env));
    const started = io.now();
    const tracker = new StatusTracker();
    const snapshot = () => tracker.snapshot(io.now() - started);
    const progress = values.json && !io.stderr.isTTY ? silentProgress : createProgress(stream, snapshot);
    let report: Awaited<ReturnType<typeof runScenario>>;
    try {
      report = await runScenario(scenario, {
        seed,
        signal,
        functionLogs: values['function-logs'] ?? false,
        onEntry: (entry) => {
          progress.line(formatEntry(entry, paint));
          if (entry.source === 'scenario' && entry.tone === 'step' && entry.text.startsWith('step ')) {
            tracker.setStep(entry.text);
            progress.status(snapshot());
          }
        },
        onDeployEvent: (event) => {
          tracker.apply(event);
          progress.status(snapshot());
        },
      });
    } finally {
      progress.done();
    }
    const paths = await writeReports(report, values['report-dir'] ?? 'reports');
    if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else io.stdout.write(formatSummary(report, painter(colourEnabled(io.stdout, io.env)), paths));
    if (report.error) return ExitCode.undecided;
    return report.passed ? ExitCode.ok : ExitCode.mismatch;
  },
};
