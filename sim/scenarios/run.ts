import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  createAutoScalingAdapter,
  createEc2Client,
  createElbAdapter,
  createElbV2Adapter,
  createLaunchTemplateWriter,
  createParameterWriter,
  createSsmClient,
  DEFAULT_POLICY_PREFIX,
} from '../../shared/aws';
import { loadFunctionConfig } from '../../shared/config';
import { type DeployEvent, type DeployResult, DeployStrategy, deployBlueGreen } from '../../shared/deploy';
import { classicHealthCheck, FLEET_SETTINGS } from '../../shared/fleet/settings';
import { createRollbackCheck } from '../../shared/rollback';
import { runMigrations } from '../fleet';
import {
  GateDelivery,
  LAUNCH_GATE_FUNCTION,
  type LocalStack,
  SIM_PROBE_CIDRS,
  startLocalStack,
} from '../local-stack';
import { describeDeployEvent, describeLoggedDecisions, describeSimEntry } from '../report/describe';
import { buildRefreshTracks } from '../report/refresh-tracks';
import { servingRange } from '../report/serving';
import { buildTracks } from '../report/tracks';
import type { DeploySummary, ExpectationResult, RunEntry, ScenarioReport } from '../report/types';
import { type SharedPostgres, startSharedPostgres } from './database';
import { DEFAULT_CAPACITY, SCENARIO_POLICY, TIME_SCALE } from './defaults';
import { checkDeploy, type StepFacts } from './expectations';
import {
  BASE_IMAGE,
  configPathOf,
  describeVersion,
  healthPathOf,
  launchTemplateData,
  scenarioImages,
  usesDemoApp,
  versionConfiguration,
} from './fleet-data';
import { runRollingStep } from './rolling-step';
import { deploySummary, inServiceOf, processEndpoint, undecided, untouched } from './run-support';
import { type DeployExpectation, type Scenario, ScenarioDatabase } from './types';

/** How long the end of a run waits for the gate's last invocations. */
const SETTLE_MS = 20_000;
/** After the database goes: longer than the instances' health cache (1 s). */
const OUTAGE_SETTLE_MS = 1_500;

/** The configuration of a scenario that states none: the demo app's one required key. */
const DEFAULT_CONFIGURATION = { 'secret-key': 'sim-secret-key-not-a-secret' } as const;

/** The load balancer's health check: the fleet's path and thresholds on the fleet's port, quick intervals. */
const LB_CHECK = {
  intervalSeconds: 5,
  timeoutSeconds: 3,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
} as const;

export interface RunOptions {
  /** Each timeline line as it happens (the live console). */
  onEntry?: (entry: RunEntry) => void;
  /** Seed of ids and API fault decisions; default 1. */
  seed?: number;
  /** Let the handler's own log lines and metrics through to stdout; default off. */
  functionLogs?: boolean;
  /** Each deploy event as it happens (a live status line follows them). */
  onDeployEvent?: (event: DeployEvent) => void;
  /** Where command versions run; default the process's working directory. */
  cwd?: string;
  /** Aborting it stops the run: the deploy under way removes its new group, then the stack stops. */
  signal?: AbortSignal;
  /** The sim's API port (the first run of a process keeps it for the next ones); default a free port. */
  port?: number;
  /**
   * Called once the steps are done, before the stack stops: `healthgate sim --demo` serves the world the steps
   * built until it is stopped.
   */
  afterSteps?: (stack: LocalStack) => Promise<void>;
}

/**
 * Runs `scenario` and returns its report (never throws for a failed expectation; `passed` says it).
 *
 * @example
 * const report = await runScenario(findScenario('rollout')!, { onEntry: (e) => console.log(e.text) });
 */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<ScenarioReport> {
  const startedAt = Date.now();
  const entries: RunEntry[] = [];
  const push = (time: number, line: Omit<RunEntry, 'time' | 't'> | undefined) => {
    if (!line) return;
    const entry: RunEntry = { time, t: Math.max(0, time - startedAt), ...line };
    entries.push(entry);
    options.onEntry?.(entry);
  };
  const note = (text: string, tone: RunEntry['tone'] = 'step') =>
    push(Date.now(), { source: 'scenario', text, tone });

  const expectations: ExpectationResult[] = [];
  const deploys: DeploySummary[] = [];
  const checks: {
    expect: DeployExpectation;
    step: number;
    group: string;
    result: DeployResult;
    facts: Omit<StepFacts, 'step' | 'result' | 'tracks'>;
  }[] = [];
  const groupVersion = new Map<string, string>();
  // Versions by launch template version: a rolling deploy runs two versions in one group.
  const templateVersionName = new Map<string, string>();
  let deploying = '';
  const deployEvents: DeployEvent[] = [];
  let stack: LocalStack | undefined;
  let postgres: SharedPostgres | undefined;
  let error: string | undefined;
  let consumed = 0;
  let timer: NodeJS.Timeout | undefined;
  const drain = () => {
    if (!stack) return;
    const all = stack.timeline.entries;
    for (; consumed < all.length; consumed++) {
      const entry = all[consumed]!;
      const decisions = describeLoggedDecisions(entry);
      if (decisions.length > 0) for (const line of decisions) push(entry.time, line);
      else push(entry.time, describeSimEntry(entry));
    }
  };

  try {
    note(`scenario ${scenario.name}: ${scenario.description}`);
    const endpoint = await processEndpoint(options.port);
    stack = await startLocalStack({
      port: endpoint.port,
      healthToken: endpoint.healthToken,
      seed: options.seed ?? 1,
      timeScale: scenario.timeScale ?? TIME_SCALE,
      fleet: {
        images: scenarioImages(scenario, options.cwd ?? process.cwd()),
        killGraceMs: 1000,
      },
      functions: {
        [LAUNCH_GATE_FUNCTION]: {
          load: () => import('../../functions/launch-gate'),
          // As serverless.yml deploys it: a step is short, its timeout 30 s.
          options: { timeoutMs: 30_000 },
        },
      },
      // As production delivers them: the lifecycle rule puts each event on the gate's steps queue.
      gateDelivery: GateDelivery.queue,
      // The gate's log is its record of decisions (as CloudWatch Logs is on AWS): kept with each invocation,
      // printed only when asked.
      lambdaLogs: { echo: options.functionLogs ?? false },
      env: {
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...(options.functionLogs ? {} : { POWERTOOLS_METRICS_DISABLED: 'true' }),
      },
    });
    timer = setInterval(drain, 50);
    const { model } = stack.sim;
    const port = stack.fleetPort!;
    note(`local control plane on ${stack.endpoint}; instances listen on 127.0.1.N:${port}`, 'info');

    // The release step of the serving version: the shared database gets the app's own migrations.
    const configuration = scenario.configuration ?? DEFAULT_CONFIGURATION;
    let database: Record<string, string> = { SQLITE_PATH: path.join(stack.runDir, 'shared.sqlite') };
    if (scenario.database === ScenarioDatabase.postgresql) {
      postgres = await startSharedPostgres();
      database = { DATABASE_URL: postgres.url };
      note('shared database: PostgreSQL on 127.0.0.1', 'info');
    }
    if (usesDemoApp(scenario)) {
      await runMigrations(stack.images.get(BASE_IMAGE)!, {
        ...database,
        SECRET_KEY: configuration['secret-key'] ?? DEFAULT_CONFIGURATION['secret-key'],
      });
    }
    // Each version's configuration under its own path, with the token the gate sends (`health-token`).
    const configurations = new Map<string, Record<string, string>>();
    for (const version of scenario.versions) {
      const own = { 'health-token': stack.healthToken, ...versionConfiguration(configuration, version) };
      configurations.set(version.name, own);
      for (const [key, value] of Object.entries(own)) {
        model.parameters.put({ name: `${configPathOf(version)}/${key}`, value, type: 'SecureString' });
      }
    }

    // What infra/ would have created: the load balancer and the launch template.
    model.loadBalancers.createClassic({
      name: 'web',
      listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: port }],
    });
    model.loadBalancers.configureHealthCheck(
      'web',
      classicHealthCheck({
        ...FLEET_SETTINGS.loadBalancerHealthCheck,
        port,
        path: healthPathOf(scenario),
        ...LB_CHECK,
      }),
    );
    const template = model.launchTemplates.create('healthgate-web', {
      ImageId: scenarioImages(scenario, '.')[0]!.imageId,
    });

    const config = loadFunctionConfig(process.env);
    const deps = {
      autoscaling: createAutoScalingAdapter(),
      elb: createElbAdapter(),
      elbv2: createElbV2Adapter(),
      rollbackCheck: createRollbackCheck({ config }),
      launchTemplates: createLaunchTemplateWriter(createEc2Client()),
      parameters: createParameterWriter(createSsmClient()),
      onEvent: (event: DeployEvent) => {
        if (event.type === 'launch-template-version')
          templateVersionName.set(event.templateVersion, deploying);
        deployEvents.push(event);
        push(event.time, describeDeployEvent(event));
        options.onDeployEvent?.(event);
      },
    };

    let serving: string | undefined;
    const deadline = startedAt + (scenario.timeoutMs ?? 120_000);
    for (const [index, step] of scenario.steps.entries()) {
      const n = index + 1;
      if (options.signal?.aborted) throw new Error(`interrupted before step ${n}`);
      if (step.kind === 'api-faults') {
        stack.sim.faults.set(step.rules);
        note(
          `step ${n}: AWS API faults on: ${step.rules.map((r) => `${r.service ?? 'all'} ${Math.round((r.throttleRate ?? 0) * 100)}% throttled${r.errorRate ? `, ${Math.round(r.errorRate * 100)}% errors` : ''}`).join('; ')}`,
        );
        continue;
      }
      if (step.kind === 'database-outage') {
        if (!postgres) throw new Error(`step ${n}: a database outage needs database: 'postgresql'`);
        note(`step ${n}: the shared database goes away (PostgreSQL stopped under the running fleet)`);
        await postgres.stop();
        // Past the instances' health cache, so every /health from now on sees the outage.
        await delay(OUTAGE_SETTLE_MS);
        continue;
      }
      const version = scenario.versions.find((v) => v.name === step.version);
      if (!version) throw new Error(`step ${n}: unknown version ${step.version}`);
      deploying = version.name;
      const policy = {
        ...SCENARIO_POLICY,
        port,
        probeCidrs: [...SIM_PROBE_CIDRS],
        ...scenario.policy,
        ...version.policy,
      };
      const data = launchTemplateData(version, {
        database,
        configuration: configurations.get(version.name)!,
      });
      const about = describeVersion(version);
      if (step.strategy === DeployStrategy.rolling) {
        if (!serving) throw new Error(`step ${n}: a rolling deploy needs a serving group`);
        note(`step ${n}: roll ${version.name} into ${serving}${about ? ` (${about})` : ''}`);
        const deployStart = Date.now();
        const { result, facts } = await runRollingStep({
          stack,
          group: serving,
          version: version.name,
          description: version.name,
          templateId: template.id,
          data,
          policy,
          canary: scenario.canary ?? 1,
          ...(step.refresh ? { refresh: step.refresh } : {}),
          checkFromOutside: step.checkFromOutside ?? false,
          config,
          deps,
          timeoutMs: Math.max(10_000, deadline - Date.now()),
          pollIntervalMs: 250,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        drain();
        checks.push({ expect: step.expect, step: n, group: serving, result, facts });
        deploys.push(deploySummary(n, version.name, result, deployStart - startedAt, Date.now() - startedAt));
        if (result.failure === 'INTERRUPTED') throw new Error(`interrupted during step ${n}`);
        continue;
      }
      const group = `web-${version.name}`;
      groupVersion.set(group, version.name);
      const capacity = step.capacity ?? scenario.capacity ?? DEFAULT_CAPACITY;
      note(`step ${n}: deploy ${version.name}${about ? ` (${about})` : ''}`);
      const before = serving ? inServiceOf(stack, serving) : [];
      const deployStart = Date.now();
      const result: DeployResult = await deployBlueGreen(
        {
          groupName: group,
          ...(serving ? { previousGroupName: serving } : {}),
          version: version.name,
          desiredCapacity: capacity,
          // A canary stage protects a serving fleet; the first fleet has none to protect.
          ...(serving ? { canary: scenario.canary ?? 1 } : {}),
          launchTemplate: { id: template.id },
          newTemplateVersion: { sourceVersion: '1', description: version.name, data },
          loadBalancerNames: ['web'],
          availabilityZones: [`${model.region}a`],
          policy,
          policyPrefix: DEFAULT_POLICY_PREFIX,
          timeoutMs: Math.max(10_000, deadline - Date.now()),
          pollIntervalMs: 250,
          retireTimeoutMs: 30_000,
          ...(options.signal ? { signal: options.signal } : {}),
        },
        deps,
      );
      drain();
      const previousServing =
        serving && result.outcome === 'rolled-back' ? untouched(stack, serving, before) : undefined;
      checks.push({
        expect: step.expect,
        step: n,
        group,
        result,
        facts: {
          ...(previousServing ? { previousServing } : {}),
          ...(serving
            ? { lowestServing: servingRange(stack.timeline.entries, serving, deployStart, Date.now()).lowest }
            : {}),
        },
      });
      deploys.push(deploySummary(n, version.name, result, deployStart - startedAt, Date.now() - startedAt));
      if (result.outcome === 'deployed') serving = group;
      if (result.failure === 'INTERRUPTED') throw new Error(`interrupted during step ${n}`);
    }
    await options.afterSteps?.(stack);
    if (scenario.steps.some((s) => s.kind === 'api-faults')) {
      // The log keeps the most recent calls only: a lower bound, enough to show the faults were live.
      const injected = stack.sim.requests.entries().filter((e) => e.injected).length;
      note(`${injected} AWS API call(s) were answered with an injected fault and retried by the SDK`, 'info');
      expectations.push({
        step: scenario.steps.findIndex((s) => s.kind === 'api-faults') + 1,
        what: 'AWS API faults injected',
        expected: 'at least one',
        actual: String(injected),
        ok: injected > 0,
      });
    }
    // Let the last terminations land, and the invocations that completed an action (they return after watching
    // the load balancer) report their decision.
    await stack.sim.model.settle();
    const live = stack;
    await live
      .waitFor(() => undecided(live).length === 0, SETTLE_MS, "the gate's last decisions")
      .catch(() => undefined);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    note(`the run failed: ${error}`, 'bad');
  } finally {
    if (timer) clearInterval(timer);
    drain();
  }
  const instances = stack
    ? buildTracks(stack.timeline.entries, startedAt, (g, id) => {
        const launched = stack?.sim.model.autoscaling.instances.get(id)?.launchTemplate.version;
        return templateVersionName.get(String(launched)) ?? groupVersion.get(g) ?? g;
      })
    : [];
  for (const c of checks) {
    const tracks = instances.filter((t) => t.group === c.group && t.version === c.result.version);
    expectations.push(
      ...checkDeploy(c.expect, {
        step: c.step,
        result: c.result,
        tracks,
        ...c.facts,
      }),
    );
  }
  expectations.sort((a, b) => a.step - b.step);
  await stack?.close();
  await postgres?.stop();
  const durationMs = Date.now() - startedAt;
  const passed = error === undefined && expectations.length > 0 && expectations.every((e) => e.ok);
  return {
    scenario: scenario.name,
    description: scenario.description,
    startedAt: new Date(startedAt).toISOString(),
    durationMs,
    passed,
    expectations,
    deploys,
    instances,
    refreshes: buildRefreshTracks(deployEvents, startedAt),
    entries,
    ...(error ? { error } : {}),
  };
}
