/**
 * A fleet of light instances launched at once and gated by the real launch gate through its steps queue, with
 * what a benchmark or a test needs to judge the run afterwards: each instance's decision (from the gate's own log
 * and from Auto Scaling's record of how its lifecycle action ended), the gate's Lambda cost and concurrency, and
 * the AWS calls it made. Shared by `bench/gate-scale.ts` and `test/integration/gate-scale.test.ts`.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { DEFAULT_SECRET_CACHE_SECONDS } from '../../shared/aws/health-token';
import { formatUserData } from '../../sim/fleet';
import { jsonLines } from '../../sim/lambda/function-logs';
import type { InvocationEvent } from '../../sim/lambda/functions';
import { LAUNCH_GATE_FUNCTION, type LocalStack, startLocalStack } from '../../sim/local-stack';

/** What a gated instance's `/health` does once it boots. */
export const InstanceKind = {
  /** Passes: the gate must CONTINUE it. */
  good: 'good',
  /** Fails with `transient: false`: the gate must ABANDON it (NON_TRANSIENT_FAILURE). */
  bad: 'bad',
} as const;
export type InstanceKind = (typeof InstanceKind)[keyof typeof InstanceKind];

/** The load balancer's health check (classic ELB terms, seconds of the sim's scaled clock). */
export interface LbCheck {
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export interface GateFleetSpec {
  seed: number;
  /** Passing instances, all in one group. */
  good: number;
  /**
   * Instances failing non-transiently, each in its own group of one that is retired the moment its action is
   * abandoned, so no replacement is launched and gated in turn (as a deploy driver stops a failing version).
   */
  bad: number;
  /** Real ms from launch until an instance's health server listens (the shortest boot when spread). */
  bootDelayMs: number;
  /** Groups the passing instances are split into; default 1. */
  goodGroups?: number;
  /**
   * Boots spread over this many ms (each group boots `bootDelayMs` + its share, through UserData's
   * `SIM_BOOT_DELAY_MS`), so the moment an instance first answers falls anywhere between two probes, as real
   * boots do; default 0 (every instance boots in exactly `bootDelayMs`, in step with the gate's probes).
   */
  bootSpreadMs?: number;
  /** The groups' gate policy as written in SSM (the fleet's port is added). */
  policy: Record<string, unknown>;
  /** The launching hook's HeartbeatTimeout (the sim's clock: scaled by `timeScale`). */
  hookHeartbeatTimeoutSeconds: number;
  lbCheck: LbCheck;
  /** The gate function's reserved concurrency; default none (the account's pool of 1,000). */
  reservedConcurrency?: number;
  /** The sim's time scale (hook timeouts and LB checks); default 1, AWS's own times. */
  timeScale?: number;
  /** How long a gate container keeps the policy and tokens; default 60 s, as production deploys it. */
  policyCacheSeconds?: number;
  /** The steps queue's visibility timeout; default 180 s, as serverless.yml creates it. */
  visibilityTimeoutSeconds?: number;
  /** The event source mapping's `ScalingConfig.MaximumConcurrency`; default none, as serverless.yml maps it. */
  maximumConcurrency?: number;
}

/** One launched instance. */
export interface LaunchedInstance {
  instanceId: string;
  group: string;
  kind: InstanceKind;
}

/** The gate's Lambda as the sim measured it. */
export interface GateLambdaFigures {
  invocations: number;
  throttles: number;
  expired: number;
  peakConcurrency: number;
  containers: number;
  /** Sum of invocation durations as Lambda bills them (init excluded), ms. */
  billedMs: number;
  /** Sum of init phases (cold starts), ms. */
  initMs: number;
  /** Each ended invocation's duration, ms. */
  durationsMs: number[];
  /** ∫ concurrent executions dt over the run, execution-ms (init included: an execution counts from its init). */
  concurrencyIntegralMs: number;
}

/** One SDK request the gate made, timed at the client: request start to response. */
export interface ClientCall {
  startedAt: number;
  ms: number;
  /** The gate invocation that made it (its request id), when known. */
  requestId?: string;
}

/** What happened to one instance. */
export interface InstanceOutcome extends LaunchedInstance {
  /** When its lifecycle action started (its launch), epoch ms. */
  actionStartedAt: number;
  /** When its health server first listened (its first answer was possible), epoch ms. */
  listeningAt?: number;
  /** How Auto Scaling says the action ended: the gate's call (`CompleteLifecycleAction`) or a timeout. */
  completion?: { result: string; cause: string; time: number };
  /** The gate's completion line: result, reason, when. */
  decision?: { result: string; reason: string; detail: string; time: number };
  /** The gate's first passing probe (its log line's time, when the answer was in). */
  firstPassAt?: number;
  /** The gate's last log line about the instance (the end of its chain of steps, LB watch included). */
  lastLineAt?: number;
  probes: number;
  /** The gate's probe latencies (its own `latencyMs`), ms. */
  probeLatenciesMs: number[];
  /** The load balancer's verdict after a CONTINUE, when the watch ended. */
  lbVerdict?: 'healthy' | 'unhealthy';
  /** The longest time between two of the gate's log lines about it (a step held up), ms. */
  longestGapMs: number;
  /** Every line the gate logged about it, as `ms-after-launch message`: kept only when the outcome is wrong. */
  log?: string[];
}

/** Everything read back from a run. */
export interface FleetOutcome {
  instances: InstanceOutcome[];
  /** Instances launched that were not launched by {@link GateFleet.launch} (replacements of abandoned ones). */
  replacements: string[];
  lambda: GateLambdaFigures;
  /** The gate's SDK calls timed at the client. */
  clientCalls: ClientCall[];
  /** The gate's probes of every instance (its `probe` lines): how many, and their `latencyMs` summed. */
  probes: { count: number; totalMs: number };
  /**
   * Per invocation, the time at least one of its probes or SDK calls was in flight (the union of their
   * intervals within the invocation), summed over invocations: the time the gate actually spent working, with
   * the calls of a batch's concurrent steps counted once.
   */
  workingMs: number;
  /** SDK calls no invocation could be named for (left out of `workingMs`). */
  unattributedCalls: number;
  /** The sim's request log, by `service:action`: count and server-side ms (handling only). */
  requests: Record<string, { count: number; serverMs: number }>;
  /** Whether the sim's request log still holds the run's first request (it keeps the last 10,000). */
  requestLogComplete: boolean;
  /** The event source mapping's batches: how many, their records, and how throttling held them. */
  batches: {
    count: number;
    records: number;
    /** Batches retried after a throttle, and the most throttles one batch met. */
    throttledBatches: number;
    maxThrottlesPerBatch: number;
    /** Batches still throttled when their visibility timeout was to end (their steps came back late). */
    releasedThrottled: number;
  };
}

/** A gated fleet, ready to launch. */
export interface GateFleet {
  stack: LocalStack;
  /** Creates the groups: every instance launches at once. */
  launch(): LaunchedInstance[];
  /** Resolves when every launched instance's lifecycle action has ended; rejects after `timeoutMs`. */
  waitDecided(timeoutMs: number): Promise<number>;
  /** Resolves when every chain of steps has ended too (queue empty, nothing running); rejects after `timeoutMs`. */
  waitQuiet(timeoutMs: number): Promise<number>;
  outcome(): FleetOutcome;
  close(): Promise<void>;
}

const GOOD_GROUP = 'gated-good';

/**
 * Runs started by this process so far. A module is loaded once per URL for the life of the process, and the
 * gate's module keeps the clients it made at load (pointed at that run's sim): each run loads its own.
 */
let runs = 0;
const HOOK = 'healthgate-launch';

/**
 * Starts the sim with the real gate (one module instance per container, a 30 s timeout as serverless.yml sets
 * it) and light images for the spec; nothing is launched until {@link GateFleet.launch}.
 */
export async function startGateFleet(spec: GateFleetSpec): Promise<GateFleet> {
  const run = ++runs;
  const stack = await startLocalStack({
    seed: spec.seed,
    timeScale: spec.timeScale ?? 1,
    fleet: {
      images: [
        { imageId: 'ami-good', light: { bootDelayMs: spec.bootDelayMs, health: 'pass' } },
        { imageId: 'ami-bad', light: { bootDelayMs: spec.bootDelayMs, health: 'fail-permanent' } },
      ],
    },
    env: {
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POLICY_CACHE_SECONDS: String(spec.policyCacheSeconds ?? 60),
      SECRET_CACHE_SECONDS: String(DEFAULT_SECRET_CACHE_SECONDS),
    },
    // The gate's log is the record of its steps (CloudWatch Logs on AWS): kept with each invocation, not printed.
    lambdaLogs: { echo: false },
    // As serverless.yml makes them: batches of 10, no batching window, a 180 s visibility timeout.
    stepQueue: {
      visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds ?? 180,
      batchSize: 10,
      maximumBatchingWindowSeconds: 0,
      ...(spec.maximumConcurrency !== undefined ? { maximumConcurrency: spec.maximumConcurrency } : {}),
    },
    functions: {
      [LAUNCH_GATE_FUNCTION]: {
        load: (container) =>
          import(/* @vite-ignore */ `../../functions/launch-gate.ts?run=${run}&container=${container}`),
        options: {
          timeoutMs: 30_000,
          ...(spec.reservedConcurrency !== undefined
            ? { reservedConcurrency: spec.reservedConcurrency }
            : {}),
        },
      },
    },
  });
  const { model } = stack.sim;
  const port = stack.fleetPort!;
  const calls = trackSdkCalls(stack);
  const launched: LaunchedInstance[] = [];
  const badGroups = new Set<string>();

  // A bad group is retired as its action is abandoned, inside the same change, so Auto Scaling has nothing to
  // replace (a replacement would be launched before any later callback could stop it).
  const onChange = (change: { kind: string; instanceId?: string; result?: string }) => {
    if (change.kind !== 'lifecycle-action' || change.result !== 'ABANDON' || !change.instanceId) return;
    const group = model.autoscaling.instances.get(change.instanceId)?.groupName;
    if (group && badGroups.has(group)) {
      model.autoscaling.updateGroup(group, { minSize: 0, maxSize: 0, desiredCapacity: 0 });
    }
  };
  stack.sim.events.on('change', onChange);

  const makeGroup = (name: string, imageId: string, size: number, extraBootMs: number) => {
    model.launchTemplates.create(`${name}-lt`, {
      ImageId: imageId,
      ...(extraBootMs > 0
        ? {
            UserData: Buffer.from(formatUserData({ SIM_BOOT_DELAY_MS: String(extraBootMs) })).toString(
              'base64',
            ),
          }
        : {}),
    });
    model.loadBalancers.createClassic({
      name: `${name}-elb`,
      listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: port }],
    });
    model.loadBalancers.configureHealthCheck(`${name}-elb`, {
      Target: `HTTP:${port}/health`,
      Interval: spec.lbCheck.intervalSeconds,
      Timeout: spec.lbCheck.timeoutSeconds,
      HealthyThreshold: spec.lbCheck.healthyThreshold,
      UnhealthyThreshold: spec.lbCheck.unhealthyThreshold,
    });
    stack.putPolicy(name, { ...spec.policy, port });
    model.autoscaling.createGroup({
      name,
      minSize: 0,
      maxSize: size,
      desiredCapacity: size,
      launchTemplate: { name: `${name}-lt`, version: '$Latest' },
      loadBalancerNames: [`${name}-elb`],
      hooks: [
        {
          hookName: HOOK,
          transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
          heartbeatTimeout: spec.hookHeartbeatTimeoutSeconds,
          defaultResult: 'ABANDON',
        },
      ],
    });
    for (const instance of model.autoscaling.groupInstances(name)) {
      launched.push({
        instanceId: instance.instanceId,
        group: name,
        kind: imageId === 'ami-good' ? InstanceKind.good : InstanceKind.bad,
      });
    }
  };

  const stepQueue = () => model.queues.findByArn(stack.stepQueue!.arn)!;
  const decidedCount = () => {
    const ids = new Set(launched.map((l) => l.instanceId));
    const ended = new Set<string>();
    for (const entry of stack.timeline.of('lifecycle-action')) {
      if (entry.instanceId && ids.has(entry.instanceId)) ended.add(entry.instanceId);
    }
    return ended.size;
  };
  // Polled four times a second, not 40: the machine the run measures is the one polling.
  const poll = async (done: () => boolean, timeoutMs: number, what: string): Promise<number> => {
    const until = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return Date.now();
  };

  return {
    stack,
    launch() {
      const spread = spec.bootSpreadMs ?? 0;
      const groups = Math.max(1, spec.goodGroups ?? 1);
      // Group k of n boots k/n of the spread later; failing groups fall halfway between passing ones.
      const share = (k: number, n: number, offset: number) => Math.round(((k + offset) * spread) / n);
      for (let k = 0; k < groups; k++) {
        const size = Math.floor(spec.good / groups) + (k < spec.good % groups ? 1 : 0);
        const name = groups === 1 ? GOOD_GROUP : `${GOOD_GROUP}-${k + 1}`;
        if (size > 0) makeGroup(name, 'ami-good', size, share(k, groups, 0));
      }
      for (let i = 0; i < spec.bad; i++) {
        const name = `gated-bad-${i + 1}`;
        badGroups.add(name);
        makeGroup(name, 'ami-bad', 1, share(i, spec.bad, 0.5));
      }
      return [...launched];
    },
    waitDecided: (timeoutMs) =>
      poll(
        () => decidedCount() === launched.length,
        timeoutMs,
        `${launched.length} decisions (${decidedCount()} so far)`,
      ),
    waitQuiet: (timeoutMs) =>
      poll(
        () => {
          const q = stepQueue().counts();
          return (
            decidedCount() === launched.length &&
            q.visible + q.inFlight + q.delayed === 0 &&
            stack.sim.functions.stats(LAUNCH_GATE_FUNCTION).concurrent === 0
          );
        },
        timeoutMs,
        'the steps queue to drain',
      ),
    outcome: () => readOutcome(stack, launched, calls.calls),
    async close() {
      stack.sim.events.off('change', onChange);
      calls.stop();
      await stack.close();
    },
  };
}

/**
 * Times the SDK's HTTP requests to the sim at the client (request start to response), as the gate waits for
 * them: `node:http`'s diagnostics channels see every request the process makes; the SDK's are the ones to the
 * sim's endpoint with its user agent. (Probes use `fetch`, which these channels do not see; the gate logs their
 * latency itself.)
 */
function trackSdkCalls(stack: LocalStack): { calls: ClientCall[]; stop(): void } {
  const host = new URL(stack.endpoint).host;
  const calls: ClientCall[] = [];
  const started = new WeakMap<ClientRequest, { at: number; requestId?: string }>();
  // The sim announces an invocation synchronously just before it calls the handler, so a store entered then is
  // the context of everything the handler does: each request is named for the invocation that made it.
  const invocation = new AsyncLocalStorage<string>();
  const onInvocation = (event: InvocationEvent) => {
    if (event.kind === 'invocation-start' && event.record.functionName === LAUNCH_GATE_FUNCTION) {
      invocation.enterWith(event.record.requestId);
    }
  };
  const onStart = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const agent = String(request.getHeader('user-agent') ?? '');
    if (request.getHeader('host') === host && agent.includes('aws-sdk')) {
      started.set(request, { at: performance.now(), requestId: invocation.getStore() });
    }
  };
  const onEnd = (message: unknown) => {
    const { request } = message as { request: ClientRequest; response?: IncomingMessage };
    const start = started.get(request);
    if (start === undefined) return;
    started.delete(request);
    calls.push({
      startedAt: performance.timeOrigin + start.at,
      ms: performance.now() - start.at,
      ...(start.requestId ? { requestId: start.requestId } : {}),
    });
  };
  stack.sim.functions.events.on('invocation', onInvocation);
  subscribe('http.client.request.start', onStart);
  subscribe('http.client.response.finish', onEnd);
  subscribe('http.client.request.error', onEnd);
  return {
    calls,
    stop() {
      stack.sim.functions.events.off('invocation', onInvocation);
      unsubscribe('http.client.request.start', onStart);
      unsubscribe('http.client.response.finish', onEnd);
      unsubscribe('http.client.request.error', onEnd);
    },
  };
}

/** Length of the union of `intervals` ([start, end] pairs), clipped to `[from, to]`. */
export function unionLength(
  intervals: readonly (readonly [number, number])[],
  from: number,
  to: number,
): number {
  const clipped = intervals
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [a, b] of clipped) {
    if (a >= end) {
      total += b - a;
      end = b;
    } else if (b > end) {
      total += b - end;
      end = b;
    }
  }
  return total;
}

type LogLine = Record<string, unknown> & { message?: string; instanceId?: string; timestamp?: string };

function readOutcome(
  stack: LocalStack,
  launched: readonly LaunchedInstance[],
  clientCalls: ClientCall[],
): FleetOutcome {
  const { sim, timeline } = stack;
  const linesOf = new Map<string, LogLine[]>();
  const probes = { count: 0, totalMs: 0 };
  const callsOf = new Map<string, ClientCall[]>();
  for (const call of clientCalls) {
    if (call.requestId === undefined) continue;
    const list = callsOf.get(call.requestId) ?? [];
    list.push(call);
    callsOf.set(call.requestId, list);
  }
  let workingMs = 0;
  for (const record of sim.functions.invocations) {
    if (record.functionName !== LAUNCH_GATE_FUNCTION) continue;
    const busy: [number, number][] = (callsOf.get(record.requestId) ?? []).map((c) => [
      c.startedAt,
      c.startedAt + c.ms,
    ]);
    for (const line of jsonLines(record.logs ?? []) as LogLine[]) {
      if (line.message === 'probe' && Number.isFinite(Number(line.latencyMs))) {
        probes.count += 1;
        probes.totalMs += Number(line.latencyMs);
        // The probe line is written as its answer is in: the probe ran for latencyMs before it.
        const end = Date.parse(String(line.timestamp));
        busy.push([end - Number(line.latencyMs), end]);
      }
      if (typeof line.instanceId !== 'string') continue;
      const list = linesOf.get(line.instanceId) ?? [];
      list.push(line);
      linesOf.set(line.instanceId, list);
    }
    // Log timestamps have whole milliseconds: the invocation's window is widened by one on each side.
    workingMs += unionLength(busy, record.startedAt - 1, (record.endedAt ?? record.startedAt) + 1);
  }
  const timeOf = (line: LogLine) => Date.parse(String(line.timestamp));
  const actions = [...sim.model.autoscaling.actions.values()];

  const instances = launched.map((l): InstanceOutcome => {
    const lines = (linesOf.get(l.instanceId) ?? []).sort((a, b) => timeOf(a) - timeOf(b));
    const probes = lines.filter((line) => line.message === 'probe');
    const firstPass = probes.find((line) => line.outcome === 'pass');
    const completed = lines.find((line) => line.message === 'lifecycle action completed');
    const ended = timeline.of('lifecycle-action', l.instanceId)[0];
    const listening = timeline.of('server-listening', l.instanceId)[0];
    const agreed = lines.some((line) => line.message === 'load balancer agrees: instance healthy');
    const disagreed = lines.some((line) => line.reason === 'LB_UNHEALTHY' && line.level === 'ERROR');
    const last = lines[lines.length - 1];
    const start = actions.find((a) => a.instanceId === l.instanceId)?.startedAt ?? Number.NaN;
    let longestGapMs = 0;
    for (let i = 1; i < lines.length; i++) {
      longestGapMs = Math.max(longestGapMs, timeOf(lines[i]!) - timeOf(lines[i - 1]!));
    }
    const expected = l.kind === InstanceKind.good ? 'CONTINUE' : 'ABANDON';
    const wrong = ended?.result !== expected || ended.cause !== 'CompleteLifecycleAction';
    return {
      ...l,
      actionStartedAt: start,
      ...(listening ? { listeningAt: listening.time } : {}),
      ...(ended ? { completion: { result: ended.result, cause: ended.cause, time: ended.time } } : {}),
      ...(completed
        ? {
            decision: {
              result: String(completed.result),
              reason: String(completed.reason),
              detail: String(completed.detail ?? ''),
              time: timeOf(completed),
            },
          }
        : {}),
      ...(firstPass ? { firstPassAt: timeOf(firstPass) } : {}),
      ...(last ? { lastLineAt: timeOf(last) } : {}),
      probes: probes.length,
      probeLatenciesMs: probes.map((line) => Number(line.latencyMs)).filter(Number.isFinite),
      ...(agreed || disagreed ? { lbVerdict: agreed ? ('healthy' as const) : ('unhealthy' as const) } : {}),
      longestGapMs,
      ...(wrong
        ? {
            log: lines.map(
              (line) =>
                `${timeOf(line) - start} ${line.message}${line.result ? ` ${line.result}` : ''}` +
                `${line.reason ? ` ${line.reason}` : ''}${line.delaySeconds !== undefined ? ` delay ${line.delaySeconds} s` : ''}`,
            ),
          }
        : {}),
    };
  });

  const ids = new Set(launched.map((l) => l.instanceId));
  const replacements = [...sim.model.autoscaling.instances.keys()].filter((id) => !ids.has(id));

  const stats = sim.functions.stats(LAUNCH_GATE_FUNCTION);
  const requests: FleetOutcome['requests'] = {};
  const entries = sim.requests.entries();
  for (const entry of entries) {
    const key = `${entry.service}:${entry.action}`;
    const figure = requests[key] ?? { count: 0, serverMs: 0 };
    figure.count += 1;
    figure.serverMs += entry.durationMs;
    requests[key] = figure;
  }
  const batches = stack.stepQueue?.mapping?.batches ?? [];
  return {
    instances,
    replacements,
    batches: {
      count: batches.length,
      records: batches.reduce((sum, b) => sum + b.messageIds.length, 0),
      throttledBatches: batches.filter((b) => b.throttles > 0).length,
      maxThrottlesPerBatch: batches.reduce((max, b) => Math.max(max, b.throttles), 0),
      releasedThrottled: batches.filter((b) => b.outcome === 'throttled').length,
    },
    lambda: {
      invocations: stats.invocations,
      throttles: stats.throttles,
      expired: stats.expired,
      peakConcurrency: stats.peakConcurrency,
      containers: stats.containers,
      billedMs: stats.billedMs,
      initMs: stats.initMs,
      durationsMs: stats.durationsMs,
      concurrencyIntegralMs: integrate(sim.functions.concurrencySamples(LAUNCH_GATE_FUNCTION)),
    },
    clientCalls: [...clientCalls],
    probes,
    workingMs,
    unattributedCalls: clientCalls.filter((c) => c.requestId === undefined).length,
    requests,
    requestLogComplete: entries.length === 0 || entries[0]!.seq === 1,
  };
}

/** ∫ running dt of a step function given by its samples (the value after each change), in value × ms. */
export function integrate(samples: readonly { time: number; running: number }[]): number {
  let sum = 0;
  for (let i = 1; i < samples.length; i++) {
    sum += samples[i - 1]!.running * (samples[i]!.time - samples[i - 1]!.time);
  }
  return sum;
}
