/**
 * The figures of issue 10 taken from one gated run (`test/support/gate-fleet.ts`): Lambda billed time against
 * the time the gate spent working, concurrent executions per launching instance, decision latency, correctness
 * and the control-plane calls per gated launch. Pure: the run is read elsewhere.
 */
import { type FleetOutcome, InstanceKind, type InstanceOutcome } from '../test/support/gate-fleet';
import { type Summary, summarise } from './stats';

/** Calls that are not control-plane reads or decisions: the step scheduling and the heartbeats. */
export const NOT_CONTROL_PLANE = ['sqs:SendMessage', 'autoscaling:RecordLifecycleActionHeartbeat'] as const;

/** Billed time against working time. */
export interface CostFigures {
  /** Gated launches: instances launched, replacements included. */
  launches: number;
  invocations: number;
  invocationsPerLaunch: number;
  billedMs: number;
  billedMsPerLaunch: number;
  /** One invocation's duration, ms. */
  invocationMs: Summary;
  /** Records (steps) per invocation: what a batch carried on average. */
  stepsPerInvocation: number;
  /** Cold starts' init time (not in `billedMs`, as the sim bills). */
  initMs: number;
  /** Probes: the gate's own `latencyMs`, summed. */
  probeMs: number;
  probes: number;
  /** The gate's SDK calls, request start to response, at the client. */
  sdkClientMs: number;
  sdkCalls: number;
  /** The same calls as the sim handled them (server side only). */
  sdkServerMs: number;
  /** SDK calls no invocation could be named for (not in `workingMs`). */
  unattributedCalls: number;
  /**
   * Working time: per invocation, the time at least one of its probes or SDK calls (at the client) was in flight,
   * summed over invocations.
   */
  workingMs: number;
  workingMsPerLaunch: number;
  /** billed / working: the headline. */
  billedOverWorking: number;
  /** billed / (every probe's and SDK call's time summed): concurrent steps of a batch counted each. */
  billedOverSummedCalls: number;
  /** billed / (probes + SDK calls as the sim handled them, server side): the least working time can be. */
  billedOverWorkingServerSide: number;
}

/** Concurrent executions per instance. */
export interface ConcurrencyFigures {
  /** ∫ the gate's concurrent executions dt, execution-seconds (LB watches included). */
  executionSeconds: number;
  /** Σ over instances of launch → lifecycle action completed (Pending:Wait), s. */
  launchingSeconds: number;
  /** Σ over instances of launch → the gate's last line about it (LB watch included), s. */
  gatedSeconds: number;
  /** executionSeconds / launchingSeconds: every execution charged to the launch phase alone (conservative). */
  perLaunchingInstance: number;
  /** executionSeconds / gatedSeconds: executions over the whole time the gate had work for the instances. */
  perGatedInstance: number;
  peak: number;
  throttles: number;
}

/** Decision latency, seconds. */
export interface LatencyFigures {
  /** CONTINUE after the gate's first passing probe; the bound is (H − 1) × interval + 1 s. */
  continueAfterFirstPass: Summary;
  /** CONTINUE after the instance's server first listened (includes waiting for the next probe). */
  continueAfterListening: Summary;
  continueBoundSeconds: number;
  /** ABANDON after the failure was observable (the server listened, answering 503 non-transient). */
  abandonAfterObservable: Summary;
  abandonBoundSeconds: number;
}

/** Whether every launch was decided as it should be. */
export interface CorrectnessFigures {
  good: number;
  bad: number;
  /** Good instances continued by the gate's own CompleteLifecycleAction. */
  continued: number;
  /** Bad instances abandoned by the gate with NON_TRANSIENT_FAILURE. */
  abandonedNonTransient: number;
  /** Good instances whose action ended any other way than the gate's CompleteLifecycleAction (a hook timeout). */
  goodEndedOtherwise: number;
  /** Launches Auto Scaling made to replace an abandoned instance. */
  replacements: number;
  /** Each instance decided wrongly, with the gate's lines about it. */
  wrong: Pick<InstanceOutcome, 'instanceId' | 'kind' | 'completion' | 'decision' | 'longestGapMs' | 'log'>[];
  /** The longest gap between two of the gate's lines about one instance (a step held up), s. */
  longestStepGapSeconds: number;
}

/** Control-plane AWS calls per gated launch. */
export interface CallFigures {
  /** Every call but {@link NOT_CONTROL_PLANE}, per launch. */
  perLaunch: number;
  /** Per launch, by `service:action` (the excluded ones shown too, marked). */
  byAction: Record<string, number>;
  excluded: readonly string[];
  /** Whether the sim's request log held the whole run. */
  complete: boolean;
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

export function costFigures(o: FleetOutcome): CostFigures {
  const launches = o.instances.length + o.replacements.length;
  const sdkClientMs = o.clientCalls.reduce((sum, c) => sum + c.ms, 0);
  const sdkServerMs = Object.values(o.requests).reduce((sum, r) => sum + r.serverMs, 0);
  const summed = o.probes.totalMs + sdkClientMs;
  return {
    launches,
    invocations: o.lambda.invocations,
    invocationsPerLaunch: round(o.lambda.invocations / launches, 2),
    billedMs: o.lambda.billedMs,
    billedMsPerLaunch: Math.round(o.lambda.billedMs / launches),
    invocationMs: summarise(o.lambda.durationsMs, 0),
    stepsPerInvocation: round(o.batches.records / Math.max(1, o.batches.count), 2),
    initMs: Math.round(o.lambda.initMs),
    probeMs: Math.round(o.probes.totalMs),
    probes: o.probes.count,
    sdkClientMs: Math.round(sdkClientMs),
    sdkCalls: o.clientCalls.length,
    sdkServerMs: Math.round(sdkServerMs),
    unattributedCalls: o.unattributedCalls,
    workingMs: Math.round(o.workingMs),
    workingMsPerLaunch: Math.round(o.workingMs / launches),
    billedOverWorking: round(o.lambda.billedMs / o.workingMs, 2),
    billedOverSummedCalls: round(o.lambda.billedMs / summed, 2),
    billedOverWorkingServerSide: round(o.lambda.billedMs / (o.probes.totalMs + sdkServerMs), 2),
  };
}

export function concurrencyFigures(o: FleetOutcome): ConcurrencyFigures {
  const span = (i: InstanceOutcome, end: number | undefined) =>
    end === undefined ? 0 : Math.max(0, end - i.actionStartedAt);
  const launching = o.instances.reduce((sum, i) => sum + span(i, i.completion?.time), 0) / 1000;
  const gated =
    o.instances.reduce((sum, i) => sum + span(i, Math.max(i.lastLineAt ?? 0, i.completion?.time ?? 0)), 0) /
    1000;
  const executionSeconds = o.lambda.concurrencyIntegralMs / 1000;
  return {
    executionSeconds: round(executionSeconds, 1),
    launchingSeconds: round(launching, 1),
    gatedSeconds: round(gated, 1),
    perLaunchingInstance: round(executionSeconds / launching, 4),
    perGatedInstance: round(executionSeconds / gated, 4),
    peak: o.lambda.peakConcurrency,
    throttles: o.lambda.throttles,
  };
}

export function latencyFigures(
  o: FleetOutcome,
  policy: { intervalSeconds: number; healthyThreshold: number },
): LatencyFigures {
  const seconds = (ms: number) => ms / 1000;
  const continued = o.instances.filter(
    (i) => i.kind === InstanceKind.good && i.decision?.result === 'CONTINUE',
  );
  const abandoned = o.instances.filter(
    (i) => i.kind === InstanceKind.bad && i.decision?.result === 'ABANDON' && i.listeningAt !== undefined,
  );
  return {
    continueAfterFirstPass: summarise(
      continued
        .filter((i) => i.firstPassAt !== undefined)
        .map((i) => seconds(i.decision!.time - i.firstPassAt!)),
      2,
    ),
    continueAfterListening: summarise(
      continued
        .filter((i) => i.listeningAt !== undefined)
        .map((i) => seconds(i.decision!.time - i.listeningAt!)),
      2,
    ),
    continueBoundSeconds: (policy.healthyThreshold - 1) * policy.intervalSeconds + 1,
    abandonAfterObservable: summarise(
      abandoned.map((i) => seconds(i.decision!.time - i.listeningAt!)),
      2,
    ),
    abandonBoundSeconds: policy.intervalSeconds,
  };
}

export function correctnessFigures(o: FleetOutcome): CorrectnessFigures {
  const good = o.instances.filter((i) => i.kind === InstanceKind.good);
  const bad = o.instances.filter((i) => i.kind === InstanceKind.bad);
  const byGate = (i: InstanceOutcome) => i.completion?.cause === 'CompleteLifecycleAction';
  const right = (i: InstanceOutcome) =>
    byGate(i) &&
    (i.kind === InstanceKind.good
      ? i.completion?.result === 'CONTINUE'
      : i.completion?.result === 'ABANDON' && i.decision?.reason === 'NON_TRANSIENT_FAILURE');
  return {
    good: good.length,
    bad: bad.length,
    continued: good.filter(right).length,
    abandonedNonTransient: bad.filter(right).length,
    goodEndedOtherwise: good.filter((i) => i.completion !== undefined && !byGate(i)).length,
    replacements: o.replacements.length,
    wrong: o.instances
      .filter((i) => !right(i))
      .map(({ instanceId, kind, completion, decision, longestGapMs, log }) => ({
        instanceId,
        kind,
        completion,
        decision,
        longestGapMs,
        log,
      })),
    longestStepGapSeconds: round(Math.max(0, ...o.instances.map((i) => i.longestGapMs)) / 1000, 2),
  };
}

export function callFigures(o: FleetOutcome): CallFigures {
  const launches = o.instances.length + o.replacements.length;
  const byAction: Record<string, number> = {};
  let control = 0;
  for (const [key, { count }] of Object.entries(o.requests).sort(([a], [b]) => a.localeCompare(b))) {
    byAction[key] = round(count / launches, 2);
    if (!(NOT_CONTROL_PLANE as readonly string[]).includes(key)) control += count;
  }
  return {
    perLaunch: round(control / launches, 2),
    byAction,
    excluded: NOT_CONTROL_PLANE,
    complete: o.requestLogComplete,
  };
}

/** Median of per-round ratios, with the rounds' values (as `bench/side-by-side.ts` reports its ratios). */
export function ratioSummary(perRound: readonly number[]): {
  median: number;
  min: number;
  max: number;
  perRound: number[];
} {
  const s = summarise(perRound, 3);
  return { median: s.p50, min: Math.min(...perRound), max: s.max, perRound: [...perRound] };
}
