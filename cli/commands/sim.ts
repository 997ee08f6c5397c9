/**
 * `healthgate sim`: the local control plane alone, on loopback, until SIGINT/SIGTERM. It prints the environment
 * that points the AWS SDK (and so `healthgate check`, `healthgate deploy` and the functions) at it.
 */
import { GateDelivery, LAUNCH_GATE_FUNCTION, type LocalStack, startLocalStack } from '../../sim/local-stack';
import { DEPLOYED, runScenario, type Scenario } from '../../sim/scenarios';
import { integerOption, parseCommandArgs } from '../args';
import { type Command, type CommandContext, CommandName } from '../command';
import { ExitCode } from '../exit-code';
import { UsageError } from '../usage-error';

const OPTIONS = {
  port: { type: 'string', default: '4566' },
  host: { type: 'string', default: '127.0.0.1' },
  'time-scale': { type: 'string', default: '1' },
  seed: { type: 'string' },
  gate: { type: 'boolean' },
  duplicates: { type: 'boolean' },
  throttle: { type: 'string' },
  demo: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

const fraction = (name: string, value: string, max: number): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) {
    throw new UsageError(
      `--${name} must be a number above 0 and at most ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
};

export const simCommand: Command = {
  name: CommandName.sim,
  help: {
    summary: 'run the local AWS control plane (Auto Scaling, EC2, ELB, ELBv2, SSM, SQS, Lambda) on loopback',
    usage:
      'healthgate sim [--port N] [--gate] [--time-scale F] [--duplicates] [--throttle F] [--seed N] [--json]',
    description: [
      'Speaks the AWS wire protocols on 127.0.0.1 so unchanged SDK clients reach it through AWS_ENDPOINT_URL;',
      'prints the variables to export, then one JSON line per lifecycle event, state change and invocation.',
      'Its instances have no process: `healthgate rehearse` runs a fleet of real app processes.',
    ].join('\n'),
    options: [
      { flag: '--port N', text: 'port of the API (default 4566; 0: any free port)' },
      {
        flag: '--host ADDRESS',
        text: 'a loopback address to bind (default 127.0.0.1); nothing else is accepted',
      },
      { flag: '--gate', text: 'run functions/launch-gate.ts in process and deliver lifecycle events to it' },
      {
        flag: '--time-scale F',
        text: 'real seconds per AWS second for hook timeouts and LB intervals (default 1)',
      },
      { flag: '--duplicates', text: 'deliver every lifecycle event twice (EventBridge is at least once)' },
      {
        flag: '--throttle F',
        text: 'throttle that share of API calls (0-1; at most 2 in a row per request)',
      },
      { flag: '--seed N', text: 'seed ids and fault decisions' },
      {
        flag: '--demo',
        text: 'also a world to deploy to: the gate, a fleet of demo app processes, load balancer web and\nthe serving group web-v1 (3 instances of v1); it prints healthgate deploy commands to try',
      },
      { flag: '--json', text: 'the environment as one JSON object on stdout instead of export lines' },
      { flag: '-h, --help', text: 'this help' },
    ],
    exitCodes: [
      '  0  stopped by SIGINT or SIGTERM',
      '  2  usage: bad arguments (a non-loopback --host included)',
      '  3  the control plane could not start (the port is taken)',
    ].join('\n'),
    examples: [
      'healthgate sim --demo',
      'healthgate sim --gate',
      'healthgate sim --port 0 --time-scale 0.1 --duplicates --throttle 0.3 --seed 7',
    ],
  },
  async run(argv, { io, signal }) {
    const values = parseCommandArgs(argv, OPTIONS);
    if (values.demo) return runDemo(values, { io, signal });
    if (!LOOPBACK.test(values.host)) {
      throw new UsageError(`--host must be a loopback address (127.0.0.0/8), got ${values.host}`);
    }
    const port = integerOption('port', values.port, { min: 0, max: 65_535 })!;
    const timeScale = fraction('time-scale', values['time-scale'], 1_000);
    const seed = integerOption('seed', values.seed, { min: 0 });
    const throttle = values.throttle === undefined ? undefined : fraction('throttle', values.throttle, 1);

    const stack = await startLocalStack({
      host: values.host,
      port,
      timeScale,
      ...(seed === undefined ? {} : { seed }),
      duplicates: values.duplicates ?? false,
      functions: values.gate
        ? {
            [LAUNCH_GATE_FUNCTION]: {
              load: () => import('../../functions/launch-gate'),
              // As serverless.yml deploys it.
              options: { timeoutMs: 30_000 },
            },
          }
        : {},
      // As production delivers them: the lifecycle rule puts each event on the gate's steps queue.
      ...(values.gate ? { gateDelivery: GateDelivery.queue } : {}),
    });
    if (throttle !== undefined) stack.sim.faults.set([{ throttleRate: throttle, maxConsecutive: 2 }]);

    const out = (line: string) => io.stdout.write(`${line}\n`);
    if (values.json) {
      out(JSON.stringify({ endpoint: stack.endpoint, gate: values.gate ?? false, env: stack.env }));
    } else {
      out(`healthgate sim listening on ${stack.endpoint}`);
      if (values.gate) {
        out(`lifecycle events go to ${LAUNCH_GATE_FUNCTION} (in process) through its steps queue`);
      }
      out('');
      for (const [key, value] of Object.entries(stack.env)) out(`export ${key}=${value}`);
      out(`# the gate's health token is in SSM at ${stack.env.HEALTH_TOKEN_PARAMETER}`);
      out('');
    }
    stack.sim.events.on('lifecycle', (event) => out(JSON.stringify({ lifecycle: event })));
    stack.sim.events.on('change', (change) => out(JSON.stringify({ change })));
    stack.sim.functions.events.on('invocation', (e) => {
      if (e.kind === 'invocation-end') {
        const { requestId, attempt, outcome, result, error } = e.record;
        out(JSON.stringify({ invocation: { requestId, attempt, outcome, result, error } }));
      }
    });
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await stack.close();
    return ExitCode.ok;
  },
};

/** The demo's world: v1 serves; v3's image (a migration never applied) exists, for a deploy that must stop. */
const DEMO: Scenario = {
  name: 'demo',
  description: 'web-v1 serves v1 (3 instances of the demo app) behind the classic load balancer web',
  capacity: 3,
  versions: [
    { name: 'v1' },
    {
      name: 'v3',
      description: 'ships migration 0003, never applied',
      unappliedMigrations: ['0003_add_meter_reads'],
    },
  ],
  steps: [{ kind: 'deploy', version: 'v1', expect: DEPLOYED }],
};

/** The demo image ids a user deploys with `--ami`. */
export const DEMO_IMAGES = {
  good: 'ami-healthgate-base',
  broken: 'ami-healthgate-0003_add_meter_reads',
} as const;

/** The variables a shell needs for `healthgate deploy` and `healthgate check` against the stack. */
const exportable = (stack: LocalStack) =>
  Object.entries(stack.env).filter(([key]) => !key.startsWith('POWERTOOLS_'));

async function runDemo(
  values: { port: string; host: string; seed?: string; json?: boolean },
  { io, signal }: CommandContext,
) {
  if (values.host !== '127.0.0.1') throw new UsageError('--demo binds 127.0.0.1 only: leave out --host');
  const port = integerOption('port', values.port, { min: 0, max: 65_535 })!;
  const seed = integerOption('seed', values.seed, { min: 0 }) ?? 1;
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const report = await runScenario(DEMO, {
    seed,
    signal,
    port,
    ...(values.json
      ? {}
      : { onEntry: (entry) => out(`${(entry.t / 1000).toFixed(1).padStart(6)}s  ${entry.text}`) }),
    afterSteps: async (stack) => {
      const env = exportable(stack);
      if (values.json) {
        out(
          JSON.stringify({
            endpoint: stack.endpoint,
            group: 'web-v1',
            images: DEMO_IMAGES,
            env: Object.fromEntries(env),
          }),
        );
      } else {
        out('');
        out(`healthgate sim --demo: ${DEMO.description}; the launch gate runs in process.`);
        out('In another shell:');
        out('');
        for (const [key, value] of env) out(`export ${key}=${value}`);
        out('');
        out(`healthgate deploy --group web-v1 --version v2 --ami ${DEMO_IMAGES.good} --poll-interval 0.5`);
        out(
          `healthgate deploy --group web-v1 --version v3 --ami ${DEMO_IMAGES.broken} --poll-interval 0.5   # stopped`,
        );
        out('healthgate check --group web-v1');
        out('');
        out('Ctrl-C stops everything.');
      }
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    },
  });
  if (report.error && !signal.aborted) {
    io.stderr.write(`healthgate sim --demo: ${report.error}\n`);
    return ExitCode.undecided;
  }
  return ExitCode.ok;
}
