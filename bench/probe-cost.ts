import { performance } from 'node:perf_hooks';
import { DEFAULT_POLICY, decide, initialState, type ProbeObservation, recordProbe } from '../shared/gate';
import { probe } from '../shared/probe';
import { type AppProcess, BENCH_INSTANCE_ID, BENCH_TOKEN } from './app-process';
import { type Summary, summarise } from './stats';

/** Cost of one gate step: probe the real app over loopback, then record the observation and decide. */
export interface ProbeCostResult {
  name: string;
  probes: number;
  /** Wall time of `probe()` (HTTP round trip, body parse, identity check), ms. */
  probeMs: Summary;
  /** `recordProbe` + `decide` (pure), microseconds. */
  decideUs: Summary;
  outcomes: Record<string, number>;
}

/** Sequential probes as the gate makes them, against an app with the cache on or off. */
export async function runProbeCost(name: string, app: AppProcess, probes: number): Promise<ProbeCostResult> {
  const probeMs: number[] = [];
  const decideUs: number[] = [];
  const outcomes: Record<string, number> = {};
  let state = initialState({ instanceId: BENCH_INSTANCE_ID, startedAt: Date.now() });
  for (let i = 0; i < probes + 20; i += 1) {
    const t0 = performance.now();
    const result = await probe({
      address: '127.0.0.1',
      port: app.port,
      path: '/health',
      timeoutMs: 2000,
      expectedInstanceId: BENCH_INSTANCE_ID,
      allowedCidrs: ['127.0.0.0/8'],
      headers: { 'x-health-token': BENCH_TOKEN },
    });
    const t1 = performance.now();
    const observation: ProbeObservation = {
      at: result.at,
      latencyMs: result.latencyMs,
      outcome: result.outcome,
      httpStatus: result.httpStatus,
      instanceId: result.instanceId,
      failingChecks: result.failingChecks,
      error: result.error,
    };
    state = recordProbe(state, observation);
    decide({ policy: DEFAULT_POLICY, state, now: Date.now() });
    const t2 = performance.now();
    // The first 20 warm up the JIT and the connection path.
    if (i >= 20) {
      probeMs.push(t1 - t0);
      decideUs.push((t2 - t1) * 1000);
      outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    }
  }
  return { name, probes, probeMs: summarise(probeMs), decideUs: summarise(decideUs, 1), outcomes };
}
