/** The results of `npm run bench:gate` and their markdown, with how each figure is computed. */
import type {
  CallFigures,
  ConcurrencyFigures,
  CorrectnessFigures,
  CostFigures,
  LatencyFigures,
} from './gate-figures';
import type { MachineFacts } from './report';
import type { Summary } from './stats';

/** One gated run and its figures. */
export interface GateRun {
  name: string;
  spec: {
    good: number;
    bad: number;
    bootDelayMs: number;
    bootSpreadMs: number;
    goodGroups: number;
    policy: Record<string, unknown>;
    hookHeartbeatTimeoutSeconds: number;
    reservedConcurrency: number | null;
  };
  /** Launch to the last lifecycle action completed, ms (null: not every launch was decided in time). */
  decidedMs: number | null;
  /** Launch to the steps queue drained (LB watches over), ms. */
  quietMs: number | null;
  error: string | null;
  correctness: CorrectnessFigures;
  cost: CostFigures;
  concurrency: ConcurrencyFigures;
  latency: LatencyFigures;
  calls: CallFigures;
  batches: {
    count: number;
    records: number;
    throttledBatches: number;
    maxThrottlesPerBatch: number;
    releasedThrottled: number;
  };
  containers: number;
}

export interface GateBenchResults {
  takenAt: string;
  /** The commit measured; `dirty` when functions/, shared/ or sim/ differed from it (null: unknown). */
  source: { commit: string; dirty: boolean | null };
  machine: MachineFacts;
  loadAverage1mAfter: number;
  totalSeconds: number;
  defaults: GateRun;
  scale: { limited: GateRun; unlimited: GateRun; order: string[] }[];
  /** limited / unlimited wall time to the last decision, per round, and its median. */
  wallTimeRatio: { median: number; min: number; max: number; perRound: number[] } | null;
  stress: GateRun;
}

const s = (ms: number | null) => (ms === null ? '–' : (ms / 1000).toFixed(1));
const lat = (x: Summary) => (x.n === 0 ? '–' : `${x.p50} / ${x.max} (n ${x.n})`);
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');

function correctnessLine(r: GateRun): string {
  const c = r.correctness;
  return (
    `${c.continued}/${c.good} good continued, ${c.abandonedNonTransient}/${c.bad} bad abandoned ` +
    `NON_TRANSIENT_FAILURE; good ended by a hook timeout: ${c.goodEndedOtherwise}; replacements: ${c.replacements}`
  );
}

function callsLine(c: CallFigures): string {
  return Object.entries(c.byAction)
    .map(([k, v]) => `${k} ${v}${(c.excluded as readonly string[]).includes(k) ? ' (excluded)' : ''}`)
    .join(', ');
}

function wrongLines(r: GateRun): string[] {
  if (r.correctness.wrong.length === 0) return [];
  return [
    '',
    `Wrongly decided in "${r.name}" (first 3 of ${r.correctness.wrong.length}; the gate's lines as ms after launch):`,
    '',
    ...r.correctness.wrong
      .slice(0, 3)
      .flatMap((w) => [
        `- ${w.instanceId} (${w.kind}): ended ${w.completion?.result ?? 'never'} by ${w.completion?.cause ?? '–'}; ` +
          `gate decided ${w.decision?.result ?? 'nothing'} ${w.decision?.reason ?? ''}; longest gap between its lines ` +
          `${(w.longestGapMs / 1000).toFixed(1)} s`,
        ...(w.log ?? []).slice(-12).map((line) => `  - \`${line}\``),
      ]),
  ];
}

export function renderGateBench(r: GateBenchResults): string {
  const m = r.machine;
  const d = r.defaults;
  const busy = m.loadAverage1m > m.cores;
  const limited = r.scale.map((x) => x.limited);
  const unlimited = r.scale.map((x) => x.unlimited);
  const allScale = [...limited, ...unlimited];
  const scaleCorrect = allScale.every(
    (x) =>
      x.correctness.continued === x.correctness.good &&
      x.correctness.abandonedNonTransient === x.correctness.bad &&
      x.correctness.replacements === 0,
  );
  const row = (x: GateRun) =>
    `| ${x.name} | ${s(x.decidedMs)} | ${s(x.quietMs)} | ${x.correctness.continued}/${x.correctness.good} | ` +
    `${x.correctness.abandonedNonTransient}/${x.correctness.bad} | ${x.correctness.goodEndedOtherwise} | ` +
    `${x.correctness.replacements} | ${x.cost.invocations} (${x.cost.stepsPerInvocation}) | ${x.cost.invocationMs.p50} | ${x.concurrency.throttles} | ` +
    `${x.batches.throttledBatches} / ${x.batches.maxThrottlesPerBatch} | ${x.concurrency.peak} | ` +
    `${x.correctness.longestStepGapSeconds} | ${x.cost.billedOverWorking} | ${x.calls.perLaunch} |`;
  return [
    '# healthgate bench: the launch gate at scale (issue 10)',
    '',
    `Taken ${r.takenAt} on ${m.cpuModel} (${m.cores} cores, ${m.totalMemoryMiB} MiB), Node ${m.node}, ` +
      `${m.platform}/${m.arch}; load average ${m.loadAverage1m} at the start, ${r.loadAverage1mAfter} at the end; ` +
      `whole run ${r.totalSeconds} s; commit ${r.source.commit.slice(0, 12)}` +
      `${r.source.dirty ? ' with local changes to functions/, shared/ or sim/' : ''}.` +
      (busy
        ? ` **The machine was busy** (load above its ${m.cores} cores, shared with other work): latencies and wall ` +
          'times carry that load; the ratios compare runs taken beside the same load.'
        : ''),
    '',
    'The real `functions/launch-gate.ts` behind the sim (`test/support/gate-fleet.ts`): lifecycle events go to the ' +
      'steps queue (visibility timeout 180 s, batches of 10, no batching window, no MaximumConcurrency, as ' +
      'serverless.yml sets them), an event source mapping invokes the gate (30 s timeout, one module instance ' +
      'per container, POLICY_CACHE_SECONDS 60, SECRET_CACHE_SECONDS 300), and instances are light health servers on 127.0.1.N. Nothing is ' +
      "time-scaled: the gate's intervals, SQS delays, boots, hooks and LB checks run on real time.",
    '',
    `## At the defaults: ${d.spec.good + d.spec.bad} instances booting for ${d.spec.bootDelayMs / 1000} s`,
    '',
    `${d.spec.good} passing and ${d.spec.bad} non-transiently failing instances (each failing one in its own ` +
      `group, retired when abandoned), launched at once, booting ${d.spec.bootDelayMs / 1000}–${(d.spec.bootDelayMs + d.spec.bootSpreadMs) / 1000} s (the passing ones in ${d.spec.goodGroups} groups, boots spread over one interval so the first answer falls anywhere between two probes); the default policy (interval 5 s, timeout 3 s, ` +
      `healthyThreshold 3); hook HeartbeatTimeout ${d.spec.hookHeartbeatTimeoutSeconds} s; the fleet's classic LB ` +
      `check (15 s, healthy 2). Decided in ${s(d.decidedMs)} s, queue drained in ${s(d.quietMs)} s. ${correctnessLine(d)}.`,
    '',
    '| figure | result | target | how |',
    '| --- | --- | --- | --- |',
    `| Lambda billed / working time | **${d.cost.billedOverWorking}×** (${d.cost.billedOverSummedCalls}× with every call's time summed, ${d.cost.billedOverWorkingServerSide}× counting the sim's own handling of the SDK calls) | ≤ 2× | ${verdict(d.cost.billedOverWorking <= 2)}: billed = the sim's billed ms of every gate invocation (${d.cost.billedMs} ms, ${d.cost.billedMsPerLaunch} ms per launch over ${d.cost.invocationsPerLaunch} invocations of ${d.cost.stepsPerInvocation} steps on average, each invocation ${d.cost.invocationMs.p50} ms median, ${d.cost.invocationMs.p99} ms p99; cold starts' ${d.cost.initMs} ms of init not included); working = per invocation, the time at least one of its probes (the gate's own \`latencyMs\`, before each probe line) or SDK calls (timed at the client, request start to response, by node:http's diagnostics channels and named for their invocation) was in flight, summed: ${d.cost.workingMs} ms, ${d.cost.workingMsPerLaunch} ms per launch (${d.cost.probes} probes, ${d.cost.probeMs} ms; ${d.cost.sdkCalls} SDK calls, ${d.cost.sdkClientMs} ms at the client, ${d.cost.sdkServerMs} ms in the sim; ${d.cost.unattributedCalls} calls not named for an invocation) |`,
    `| mean concurrent executions per launching instance | **${d.concurrency.perLaunchingInstance}** (${d.concurrency.perGatedInstance} over the whole gated time) | ≤ 0.05 | ${verdict(d.concurrency.perLaunchingInstance <= 0.05)}: ∫ the gate's concurrent executions dt (the sim's concurrency samples, LB watches and init included: ${d.concurrency.executionSeconds} execution-s) / Σ each instance's launch → lifecycle action completed (${d.concurrency.launchingSeconds} s); in brackets / Σ launch → the gate's last line about it (${d.concurrency.gatedSeconds} s); peak ${d.concurrency.peak} |`,
    `| CONTINUE after the first healthy answer, median / max s | **${lat(d.latency.continueAfterFirstPass)}** | ≤ ${d.latency.continueBoundSeconds} | ${verdict(d.latency.continueAfterFirstPass.max <= d.latency.continueBoundSeconds)}: the gate's completion line − its first passing probe line (log timestamps); after the server first listened: ${lat(d.latency.continueAfterListening)} |`,
    `| ABANDON after a non-transient failure is observable, median / max s | **${lat(d.latency.abandonAfterObservable)}** | ≤ ${d.latency.abandonBoundSeconds} | ${verdict(d.latency.abandonAfterObservable.max <= d.latency.abandonBoundSeconds)}: the gate's completion line − the instance's \`server-listening\` (from then on every answer is a 503 with \`transient: false\`) |`,
    `| control-plane AWS calls per gated launch | **${d.calls.perLaunch}** | ≤ 6 | ${verdict(d.calls.perLaunch <= 6)}: every call in the sim's request log but step scheduling and heartbeats, / launches: ${callsLine(d.calls)} |`,
    ...wrongLines(d),
    '',
    `## Scale: ${(r.scale[0]?.limited.spec.good ?? 0) + (r.scale[0]?.limited.spec.bad ?? 0)} instances at once, reserved concurrency ${r.scale[0]?.limited.spec.reservedConcurrency ?? '–'} beside no limit`,
    '',
    `${r.scale[0]?.limited.spec.good ?? 180} passing and ${r.scale[0]?.limited.spec.bad ?? 20} failing instances, ` +
      `boot ${(r.scale[0]?.limited.spec.bootDelayMs ?? 0) / 1000} s, policy ${JSON.stringify(r.scale[0]?.limited.spec.policy ?? {})}, ` +
      `hook HeartbeatTimeout ${r.scale[0]?.limited.spec.hookHeartbeatTimeoutSeconds ?? '–'} s (production's), classic LB ` +
      'check 5 s, healthy 2. Each round runs the limited and the unlimited fleet one after the other, the order ' +
      `alternating; ${r.scale.length} round(s). Wall time = launch → the last lifecycle action completed.`,
    '',
    `- Every launch decided correctly, no hook timeout, no replacement: ${verdict(scaleCorrect)}.`,
    `- Wall time limited / unlimited, median of the rounds: **${r.wallTimeRatio?.median ?? '–'}** ` +
      `(rounds: ${r.wallTimeRatio?.perRound.join(', ') ?? '–'}); target ≤ 1.1: ` +
      `${r.wallTimeRatio ? verdict(r.wallTimeRatio.median <= 1.1) : '–'}.`,
    `- Control-plane calls per gated launch (limited, round 1): **${limited[0]?.calls.perLaunch ?? '–'}**: ` +
      `${limited[0] ? callsLine(limited[0].calls) : '–'}.`,
    `- CONTINUE after the first passing probe, median / max s (bound ${limited[0]?.latency.continueBoundSeconds ?? '–'}): ` +
      `limited ${limited.map((x) => lat(x.latency.continueAfterFirstPass)).join('; ')}; unlimited ` +
      `${unlimited.map((x) => lat(x.latency.continueAfterFirstPass)).join('; ')}. ABANDON after observable ` +
      `(bound ${limited[0]?.latency.abandonBoundSeconds ?? '–'}): limited ` +
      `${limited.map((x) => lat(x.latency.abandonAfterObservable)).join('; ')}; unlimited ` +
      `${unlimited.map((x) => lat(x.latency.abandonAfterObservable)).join('; ')}.`,
    '',
    '| run | decided s | drained s | good continued | bad abandoned | good by hook timeout | replacements | invocations (steps each) | median invocation ms | throttles | throttled batches / most throttles of one | peak concurrency | longest gap between steps s | billed / working | calls / launch |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.scale
      .flatMap((x) => (x.order[0] === 'limited' ? [x.limited, x.unlimited] : [x.unlimited, x.limited]))
      .map(row),
    row(r.stress),
    '',
    `The last row is the limited run again with AWS's shortest hook (HeartbeatTimeout ${r.stress.spec.hookHeartbeatTimeoutSeconds} s) and boots of ` +
      `${r.stress.spec.bootDelayMs / 1000} s: every launch must be heartbeated (${r.stress.calls.byAction['autoscaling:RecordLifecycleActionHeartbeat'] ?? 0} heartbeats per launch) ` +
      `before its hook times out while its steps wait for one of ${r.stress.spec.reservedConcurrency ?? '–'} executions. ` +
      correctnessLine(r.stress) +
      '.',
    ...r.scale.flatMap((x) => [...wrongLines(x.limited), ...wrongLines(x.unlimited)]),
    ...wrongLines(r.stress),
    '',
  ].join('\n');
}
