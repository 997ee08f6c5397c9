/**
 * `healthgate deploy`: the blue/green driver (default) or the rolling one (`--strategy rolling`, an instance
 * refresh of the serving group) against whatever endpoint the AWS SDK is configured for (AWS by default; the sim
 * through AWS_ENDPOINT_URL). Blue/green models the new group on the serving one; one deploy per serving group runs
 * at a time, and a deploy that fails leaves nothing it made behind (rolling: the refresh rolled back).
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import {
  createAutoScalingAdapter,
  createEc2Client,
  createElbAdapter,
  createElbV2Adapter,
  createLaunchTemplateWriter,
  createParameterWriter,
  createSsmAdapter,
  createSsmClient,
  LaunchTemplateNotFoundError,
} from '../../shared/aws';
import { loadFunctionConfig } from '../../shared/config';
import {
  acquireDeployLock,
  type DeployEvent,
  DeployLockHeldError,
  DeployLockLostError,
  type DeployRequest,
  type DeployResult,
  DeployStrategy,
  deployBlueGreen,
  deployLockParameter,
  deployRolling,
  type modelOnServing,
  type RollingDeployRequest,
  ServingGroupError,
} from '../../shared/deploy';
import { PolicyError, type PolicyInput, parsePolicyInput } from '../../shared/gate';
import { createRollbackCheck } from '../../shared/rollback';
import { deployReport } from '../../sim/report/deploy-report';
import { describeDeployEvent } from '../../sim/report/describe';
import { writeReports } from '../../sim/report/write';
import { integerOption, parseCommandArgs, secondsOption } from '../args';
import { AwsProblemKind, describeAwsProblem } from '../aws-problem';
import { type Command, CommandName } from '../command';
import { ExitCode } from '../exit-code';
import { createProgress, silentProgress } from '../progress';
import { StatusTracker } from '../status';
import { colourEnabled, painter } from '../terminal';
import { formatEntry, formatSummary } from '../timeline-format';
import { UsageError } from '../usage-error';
import { prepareBlueGreen } from './deploy-blue-green';
import { prepareRolling } from './deploy-rolling';

const OPTIONS = {
  group: { type: 'string', short: 'g' },
  strategy: { type: 'string' },
  'min-healthy': { type: 'string' },
  'max-healthy': { type: 'string' },
  warmup: { type: 'string' },
  'checkpoint-delay': { type: 'string' },
  'bake-time': { type: 'string' },
  version: { type: 'string' },
  ami: { type: 'string' },
  'template-version': { type: 'string' },
  'launch-template': { type: 'string' },
  'new-group': { type: 'string' },
  capacity: { type: 'string' },
  canary: { type: 'string' },
  'max-abandons': { type: 'string' },
  policy: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  'poll-interval': { type: 'string' },
  'lock-lease': { type: 'string' },
  'report-dir': { type: 'string' },
  json: { type: 'boolean' },
} as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DEFAULT_LEASE_MS = 20 * 60_000;

/** `--policy KEY=VALUE` pairs: values are JSON when they parse as JSON (numbers, arrays), text otherwise. */
export function parsePolicyOverrides(pairs: readonly string[]): PolicyInput {
  const raw: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--policy takes KEY=VALUE, got ${JSON.stringify(pair)}`);
    const text = pair.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // Text, as written (a path).
    }
    raw[pair.slice(0, eq)] = value;
  }
  try {
    return parsePolicyInput(raw);
  } catch (error) {
    if (error instanceof PolicyError) {
      throw new UsageError('--policy: the overrides are not a valid gate policy', {
        problems: error.issues.map((i) => `${i.field}: ${i.message}`),
      });
    }
    throw error;
  }
}

/**
 * The exit code of a finished deploy: stopped by the gate, the verdict or Auto Scaling failing the version's
 * refresh is a mismatch; anything else (a `hold`, a timeout, AWS, an interruption) undecided.
 */
export function exitCodeForDeploy(result: DeployResult): ExitCode {
  if (result.outcome === 'deployed') return ExitCode.ok;
  return result.failure === 'CIRCUIT_BREAKER' ||
    result.failure === 'VERDICT_ROLLBACK' ||
    result.failure === 'REFRESH_FAILED'
    ? ExitCode.mismatch
    : ExitCode.undecided;
}

const seconds = (name: string, value: string | undefined) =>
  integerOption(name, value, { min: 0, max: 172_800 });

export const deployCommand: Command = {
  name: CommandName.deploy,
  help: {
    summary:
      'deploy a version blue/green beside a serving group, or rolling into it; the gate judges every launch',
    usage:
      'healthgate deploy --group SERVING --version NAME (--ami AMI | --template-version N) [--strategy rolling] [options]',
    description: [
      'Makes a new Auto Scaling group beside SERVING, modelled on it (subnets or zones, load balancers, target',
      'groups, tags, health check, launching hook, gate policy), launches a canary, lets the launch gate judge',
      "every instance, waits for load-balancer capacity and the rollback check's proceed, then retires SERVING.",
      'On a failure (the circuit breaker after maxAbandonsPerVersion abandons, a rollback verdict, a timeout,',
      'an AWS error, Ctrl-C) it removes what it made: the group (only one tagged with its deploy id), the launch',
      'template version, the policy; SERVING is never touched. One deploy per serving group at a time: a lease',
      "in SSM at <POLICY_PREFIX>/<SERVING>/deploy-lock. AWS is the SDK's own configuration (AWS_PROFILE,",
      "AWS_REGION; AWS_ENDPOINT_URL for the sim); POLICY_PREFIX and the probe settings are the functions'.",
      '',
      '--strategy rolling refreshes SERVING in place instead: an instance refresh to the new launch template',
      'version, launching each replacement before an old instance goes (minimum and maximum healthy 100 %), a',
      'checkpoint after the canary, AutoRollback and a bake time. Each replacement waits in Pending:Wait for the',
      'gate. On the circuit breaker, a rollback verdict, an instance taken out of service or a checkpoint left',
      'without a proceed verdict it rolls its own refresh back (never one it did not start); SERVING keeps',
      'its previous version.',
    ].join('\n'),
    options: [
      { flag: '-g, --group SERVING', text: 'the serving group the new one replaces (rolling: refreshes)' },
      {
        flag: '--strategy NAME',
        text: 'blue-green (default): a new group; rolling: an instance refresh of SERVING',
      },
      {
        flag: '--version NAME',
        text: "the version: tagged healthgate:version, and the new group's name suffix",
      },
      { flag: '--ami AMI', text: "a new launch template version: SERVING's, with this image" },
      {
        flag: '--template-version N',
        text: 'launch from this existing version of the launch template instead',
      },
      { flag: '--launch-template ID|NAME', text: "the launch template (default SERVING's)" },
      {
        flag: '--new-group NAME',
        text: "the new group's name (default SERVING's with its version suffix replaced)",
      },
      { flag: '--capacity N', text: "instances of the new group (default SERVING's desired capacity)" },
      { flag: '--canary N', text: 'instances launched and judged first, alone (default 1)' },
      { flag: '--max-abandons N', text: "abandoned launches that stop the version (default the policy's)" },
      {
        flag: '--policy KEY=VALUE',
        text: "a gate policy field over SERVING's policy (repeatable), e.g.\n--policy deadlineSeconds=120 --policy path=/healthz",
      },
      { flag: '--timeout SECONDS', text: 'for capacity and a proceed verdict (default 900; rolling 3600)' },
      { flag: '--min-healthy PCT', text: 'rolling: MinHealthyPercentage (default 100)' },
      {
        flag: '--max-healthy PCT',
        text: 'rolling: MaxHealthyPercentage (default 100: one launched before one goes)',
      },
      { flag: '--checkpoint-delay SECONDS', text: 'rolling: the pause after the canary (default 600)' },
      { flag: '--bake-time SECONDS', text: 'rolling: BakeTime, the last window to roll back (default 300)' },
      { flag: '--warmup SECONDS', text: "rolling: InstanceWarmup (default the group's)" },
      { flag: '--poll-interval SECONDS', text: 'between two looks at the new group (default 5)' },
      {
        flag: '--lock-lease SECONDS',
        text: 'lease of the deploy lock, renewed while the deploy runs (default 1200)',
      },
      { flag: '--report-dir DIR', text: 'where deploy-<group>.json and .html go (default reports)' },
      { flag: '--json', text: 'the JSON report on stdout; progress on stderr only when it is a terminal' },
      { flag: '-h, --help', text: 'this help' },
    ],
    exitCodes: [
      '  0  deployed: the new group serves at capacity, SERVING retired',
      '  1  rolled back: the gate stopped the version (circuit breaker), the rollback check said rollback, or',
      '     Auto Scaling failed the refresh',
      '  2  usage: bad arguments, an unknown group, launch template or version, a group name taken; nothing made',
      '  3  could not decide: a timeout, a hold verdict (rolling), an AWS error (credentials, access denied,',
      '     throttling), another deploy or instance refresh of SERVING running, or interrupted; what it made is',
      '     removed or rolled back',
    ].join('\n'),
    examples: [
      'healthgate deploy --group web-v1 --version v2 --ami ami-0abc1234def567890',
      'healthgate deploy --group web-v1 --version v2 --template-version 8 --capacity 6 --canary 2',
      'healthgate deploy --group web --version v2 --ami ami-0abc1234def567890 --strategy rolling',
      'AWS_ENDPOINT_URL=http://127.0.0.1:4566 healthgate deploy --group web-v1 --version v2 --ami ami-v2',
    ],
  },
  async run(argv, { io, signal }) {
    const values = parseCommandArgs(argv, OPTIONS);
    const serving = values.group;
    const version = values.version;
    if (serving === undefined) throw new UsageError('missing --group SERVING', { showUsage: true });
    if (version === undefined) throw new UsageError('missing --version NAME', { showUsage: true });
    if (!NAME.test(version)) {
      throw new UsageError(
        `--version must be 1-64 letters, digits, '.', '_' or '-', got ${JSON.stringify(version)}`,
      );
    }
    if ((values.ami === undefined) === (values['template-version'] === undefined)) {
      throw new UsageError('give exactly one of --ami AMI and --template-version N', { showUsage: true });
    }
    if (values.ami !== undefined && !/^ami-[\w.-]+$/.test(values.ami)) {
      throw new UsageError(`--ami must be an image id (ami-…), got ${JSON.stringify(values.ami)}`);
    }
    const strategy = values.strategy ?? DeployStrategy.blueGreen;
    if (strategy !== DeployStrategy.blueGreen && strategy !== DeployStrategy.rolling) {
      throw new UsageError(`--strategy must be blue-green or rolling, got ${JSON.stringify(strategy)}`);
    }
    const rolling = strategy === DeployStrategy.rolling;
    for (const flag of ['new-group', 'capacity', 'policy'] as const) {
      if (rolling && values[flag] !== undefined) {
        throw new UsageError(
          `--${flag} is for a new group: a rolling deploy keeps ${serving}'s${flag === 'policy' ? ' gate policy (change it in SSM)' : ' name and capacity'}`,
        );
      }
    }
    for (const flag of ['min-healthy', 'max-healthy', 'warmup', 'checkpoint-delay', 'bake-time'] as const) {
      if (!rolling && values[flag] !== undefined) throw new UsageError(`--${flag} needs --strategy rolling`);
    }
    const capacity = integerOption('capacity', values.capacity, { min: 1, max: 1000 });
    const canary = integerOption('canary', values.canary, { min: 1, max: 1000 }) ?? 1;
    const maxAbandons = integerOption('max-abandons', values['max-abandons'], { min: 1, max: 100 });
    const timeoutMs = secondsOption('timeout', values.timeout) ?? (rolling ? 3_600_000 : 900_000);
    const pollIntervalMs = secondsOption('poll-interval', values['poll-interval']) ?? 5_000;
    const leaseMs = secondsOption('lock-lease', values['lock-lease']) ?? DEFAULT_LEASE_MS;
    const overrides = parsePolicyOverrides(values.policy ?? []);
    const config = loadFunctionConfig(io.env);

    const autoscaling = createAutoScalingAdapter();
    const ssm = createSsmAdapter();
    const parameters = createParameterWriter(createSsmClient());
    const launchTemplates = createLaunchTemplateWriter(createEc2Client());
    const fail = (error: unknown): ExitCode => {
      const problem = describeAwsProblem(error);
      if (problem.kind === AwsProblemKind.notFound)
        throw new UsageError(`${problem.message}; nothing was made`);
      io.stderr.write(`healthgate deploy: ${problem.message}; nothing was made\n`);
      return ExitCode.undecided;
    };

    // Pre-flight: every read that can refuse the deploy, before anything is made.
    let request: DeployRequest | RollingDeployRequest;
    let settings: ReturnType<typeof modelOnServing>['settings'] | undefined;
    try {
      if (rolling) {
        const minHealthy = integerOption('min-healthy', values['min-healthy'], { min: 0, max: 100 });
        const maxHealthy = integerOption('max-healthy', values['max-healthy'], { min: 100, max: 200 });
        const warmup = seconds('warmup', values.warmup);
        const checkpointDelay = seconds('checkpoint-delay', values['checkpoint-delay']);
        const bakeTime = seconds('bake-time', values['bake-time']);
        const prepared = await prepareRolling(
          {
            group: serving,
            version,
            ...(values.ami ? { ami: values.ami } : {}),
            ...(values['template-version'] ? { templateVersion: values['template-version'] } : {}),
            ...(values['launch-template'] ? { launchTemplate: values['launch-template'] } : {}),
            canary,
            ...(maxAbandons !== undefined ? { maxAbandons } : {}),
            preferences: {
              ...(minHealthy !== undefined ? { minHealthyPercentage: minHealthy } : {}),
              ...(maxHealthy !== undefined ? { maxHealthyPercentage: maxHealthy } : {}),
              ...(warmup !== undefined ? { instanceWarmupSeconds: warmup } : {}),
              ...(checkpointDelay !== undefined ? { checkpointDelaySeconds: checkpointDelay } : {}),
              ...(bakeTime !== undefined ? { bakeTimeSeconds: bakeTime } : {}),
            },
            timeoutMs,
            pollIntervalMs,
            policyPrefix: config.policyPrefix,
          },
          { autoscaling, launchTemplates, ssm },
        );
        if ('refused' in prepared) {
          io.stderr.write(`healthgate deploy: refused: ${prepared.refused}\n`);
          return ExitCode.undecided;
        }
        request = prepared.request;
      } else {
        const prepared = await prepareBlueGreen(
          {
            serving,
            version,
            ...(values.ami ? { ami: values.ami } : {}),
            ...(values['template-version'] ? { templateVersion: values['template-version'] } : {}),
            ...(values['launch-template'] ? { launchTemplate: values['launch-template'] } : {}),
            ...(values['new-group'] ? { newGroup: values['new-group'] } : {}),
            ...(capacity !== undefined ? { capacity } : {}),
            canary,
            ...(maxAbandons !== undefined ? { maxAbandons } : {}),
            overrides,
            timeoutMs,
            pollIntervalMs,
            policyPrefix: config.policyPrefix,
          },
          { autoscaling, launchTemplates, ssm },
        );
        request = prepared.request;
        settings = prepared.settings;
      }
    } catch (error) {
      if (error instanceof UsageError) throw error;
      if (error instanceof ServingGroupError) throw new UsageError(`${error.message}; nothing was made`);
      if (error instanceof LaunchTemplateNotFoundError)
        throw new UsageError(`${error.message}; nothing was made`);
      if (error instanceof SyntaxError) {
        throw new UsageError(`the gate policy of ${serving} in SSM is not JSON; nothing was made`);
      }
      if (error instanceof PolicyError) {
        throw new UsageError(`the gate policy of ${serving} in SSM is invalid; nothing was made`, {
          problems: error.issues.map((i) => `${i.field}: ${i.message}`),
        });
      }
      return fail(error);
    }

    let lock: Awaited<ReturnType<typeof acquireDeployLock>>;
    try {
      lock = await acquireDeployLock(
        { ssm, parameters },
        {
          parameter: deployLockParameter(config.policyPrefix, serving),
          deployId: 'deployId' in request && request.deployId ? request.deployId : randomUUID(),
          owner: `${userInfo().username}@${hostname()} pid ${process.pid}`,
          leaseMs,
          newGroup: rolling ? `${serving} (instance refresh)` : request.groupName,
        },
      );
    } catch (error) {
      if (error instanceof DeployLockHeldError) {
        io.stderr.write(`healthgate deploy: refused: ${error.message}; nothing was made\n`);
        return ExitCode.undecided;
      }
      return fail(error);
    }

    const stream = values.json ? io.stderr : io.stdout;
    const paint = painter(colourEnabled(stream, io.env));
    const started = io.now();
    const tracker = new StatusTracker();
    const snapshot = () => tracker.snapshot(io.now() - started);
    const progress = values.json && !io.stderr.isTTY ? silentProgress : createProgress(stream, snapshot);
    const events: DeployEvent[] = [];
    // A lock taken over (another deploy decided this one was dead) stops this one: two must never run.
    const lost = new AbortController();
    const renewal = setInterval(
      () =>
        void lock.renew().catch((error: unknown) => {
          if (error instanceof DeployLockLostError) lost.abort(error);
        }),
      Math.max(1_000, Math.floor(leaseMs / 3)),
    );
    renewal.unref();
    let result: DeployResult;
    try {
      const onEvent = (event: DeployEvent) => {
        events.push(event);
        tracker.apply(event);
        progress.line(
          formatEntry({ time: event.time, t: event.time - started, ...describeDeployEvent(event) }, paint),
        );
        progress.status(snapshot());
      };
      const common = {
        autoscaling,
        elb: createElbAdapter(),
        elbv2: createElbV2Adapter(),
        rollbackCheck: createRollbackCheck({ config }),
        launchTemplates,
        onEvent,
      };
      const interrupt = AbortSignal.any([signal, lost.signal]);
      result = rolling
        ? await deployRolling({ ...(request as RollingDeployRequest), signal: interrupt }, common)
        : await deployBlueGreen(
            { ...(request as DeployRequest), signal: interrupt },
            { ...common, parameters, ...(settings ? { settings } : {}) },
          );
    } finally {
      clearInterval(renewal);
      progress.done();
      await lock.release().catch((error: unknown) => {
        io.stderr.write(
          `healthgate deploy: could not release ${lock.parameter}: ${describeAwsProblem(error).message}\n`,
        );
      });
    }
    const report = deployReport(events, result, {
      name: `deploy-${request.groupName}`,
      description: rolling
        ? `${version} into ${serving} by an instance refresh`
        : `${version} as ${request.groupName} beside ${serving}`,
    });
    const paths = await writeReports(report, values['report-dir'] ?? 'reports');
    if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else io.stdout.write(formatSummary(report, painter(colourEnabled(io.stdout, io.env)), paths));
    return exitCodeForDeploy(result);
  },
};
