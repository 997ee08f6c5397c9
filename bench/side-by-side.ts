import autocannon from 'autocannon';
import { median, summarise } from './stats';

/** One route under load in a side-by-side run. */
export interface Target {
  /** Short key, used in the ratios. */
  key: string;
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** CPU time the serving process has used so far, µs: gives CPU per request, which other load skews less. */
  cpuMicros?: () => Promise<number>;
}

/** What one target served in one round. */
export interface RoundFigure {
  key: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** Server CPU time per request (user + system), µs; absent when the target gives no `cpuMicros`. */
  cpuMicrosPerRequest?: number;
}

/** A ratio `numerator / denominator`, taken within each round, then its median (and spread) over the rounds. */
export interface Ratio {
  numerator: string;
  denominator: string;
  median: number;
  min: number;
  max: number;
  /** Each round's ratio, in round order. */
  perRound: number[];
}

/** The figures of a side-by-side run. */
export interface SideBySideResult {
  connections: number;
  durationSeconds: number;
  rounds: number;
  targets: {
    key: string;
    name: string;
    medianRequestsPerSecond: number;
    medianP99Ms: number;
    medianCpuMicrosPerRequest?: number;
  }[];
  perRound: RoundFigure[][];
  ratios: Ratio[];
  non2xx: number;
  errors: number;
}

/** How the run is shaped. */
export interface SideBySideOptions {
  connections: number;
  durationSeconds: number;
  rounds: number;
  /** The ratios to report, as `[numerator, denominator]` target keys. */
  ratios: readonly (readonly [string, string])[];
}

/**
 * Loads each target in turn for `durationSeconds`, `rounds` times, rotating the order each round so no target
 * always runs first or last. Other work on the machine slows every target of a round alike, so ratios are
 * taken within a round and their median reported: they hold when the absolute req/s drift.
 */
export async function sideBySide(
  targets: readonly Target[],
  options: SideBySideOptions,
  say: (line: string) => void = () => {},
): Promise<SideBySideResult> {
  // Warm-up outside the measurement: the JIT, the connection path and the health cache.
  for (const target of targets) {
    await load(target, options.connections, 1);
  }
  const perRound: RoundFigure[][] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    const figures: RoundFigure[] = [];
    for (const target of order) {
      figures.push(await load(target, options.connections, options.durationSeconds));
    }
    perRound.push(targets.map((t) => figures.find((f) => f.key === t.key)!));
    say(
      `round ${round + 1}/${options.rounds}: ${perRound[round]!.map((f) => `${f.key} ${f.requestsPerSecond}`).join(', ')}`,
    );
  }
  const byKey = (key: string) => perRound.map((round) => round.find((f) => f.key === key)!);
  const ratios = options.ratios.map(([numerator, denominator]): Ratio => {
    const top = byKey(numerator);
    const bottom = byKey(denominator);
    const each = top.map((t, i) => round3(t.requestsPerSecond / Math.max(1, bottom[i]!.requestsPerSecond)));
    const s = summarise(each, 3);
    return { numerator, denominator, median: s.p50, min: Math.min(...each), max: s.max, perRound: each };
  });
  const all = perRound.flat();
  const cpuOf = (key: string) =>
    byKey(key)
      .map((f) => f.cpuMicrosPerRequest)
      .filter((v): v is number => v !== undefined);
  return {
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    rounds: options.rounds,
    targets: targets.map((t) => ({
      key: t.key,
      name: t.name,
      medianRequestsPerSecond: Math.round(median(byKey(t.key).map((f) => f.requestsPerSecond))),
      medianP99Ms: median(byKey(t.key).map((f) => f.p99Ms)),
      ...(cpuOf(t.key).length > 0 ? { medianCpuMicrosPerRequest: median(cpuOf(t.key)) } : {}),
    })),
    perRound,
    ratios,
    non2xx: all.reduce((n, f) => n + f.non2xx, 0),
    errors: all.reduce((n, f) => n + f.errors, 0),
  };
}

async function load(target: Target, connections: number, durationSeconds: number): Promise<RoundFigure> {
  const cpuBefore = await target.cpuMicros?.();
  const result = await autocannon({
    url: target.url,
    headers: target.headers,
    connections,
    duration: durationSeconds,
    timeout: 10,
  });
  const cpuAfter = await target.cpuMicros?.();
  const requests = result.requests.total;
  return {
    key: target.key,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    ...(cpuBefore !== undefined && cpuAfter !== undefined && requests > 0
      ? { cpuMicrosPerRequest: Math.round(((cpuAfter - cpuBefore) / requests) * 10) / 10 }
      : {}),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
