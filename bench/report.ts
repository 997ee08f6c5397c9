import type { BootResult } from './boot';
import type { HealthCostResult } from './health-cost';
import type { LoadResult } from './health-load';
import type { ProbeCostResult } from './probe-cost';

/** Where and on what the figures were taken. */
export interface MachineFacts {
  node: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cores: number;
  totalMemoryMiB: number;
  loadAverage1m: number;
}

/** Everything one `npm run bench` measured. */
export interface BenchResults {
  takenAt: string;
  machine: MachineFacts;
  load: LoadResult[];
  probe: ProbeCostResult[];
  /** (d) the health routes against a bare fastify app, side by side. */
  healthCost?: HealthCostResult;
  boot: { runs: BootResult[]; medianFirstHealthyMs: number; medianRssMiB?: number };
  /** Scenarios that could not run here, with the reason. */
  skipped: string[];
  totalSeconds: number;
}

/** The short markdown summary committed beside the JSON. */
export function renderMarkdown(r: BenchResults): string {
  const m = r.machine;
  const lines = [
    '# healthgate bench: latest figures',
    '',
    `Taken ${r.takenAt} on ${m.cpuModel} (${m.cores} cores, ${m.totalMemoryMiB} MiB), Node ${m.node}, ` +
      `${m.platform}/${m.arch}, load average ${m.loadAverage1m} at the start; whole run ${r.totalSeconds} s. ` +
      'Loopback only; the app runs in its own process (tsx loader, SQLite unless noted, logs to files).',
    '',
    '## /health under load (autocannon)',
    '',
    '| scenario | conns × s | req/s | p50 ms | p99 ms | requests | check runs | runs / 1000 req | non-2xx | RSS after MiB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.load.map(
      (l) =>
        `| ${l.name} | ${l.connections} × ${l.durationSeconds} | ${l.requestsPerSecond} | ${l.latencyMs.p50} | ` +
        `${l.latencyMs.p99} | ${l.requests} | ${l.path === '/health' ? l.checkRuns : '–'} | ` +
        `${l.path === '/health' ? l.checkRunsPer1000Requests : '–'} | ${l.non2xx} | ${l.rssMiBAfter} |`,
    ),
    '',
    '## probe + decide, per probe (sequential, as the gate probes)',
    '',
    '| app | probes | probe p50 ms | probe p99 ms | record + decide p50 µs | p99 µs | outcomes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...r.probe.map(
      (p) =>
        `| ${p.name} | ${p.probes} | ${p.probeMs.p50} | ${p.probeMs.p99} | ${p.decideUs.p50} | ${p.decideUs.p99} | ` +
        `${Object.entries(p.outcomes)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')} |`,
    ),
    '',
    ...(r.healthCost
      ? [
          '## health routes against a bare fastify app, side by side',
          '',
          ...healthCostLines(r.healthCost),
          '',
        ]
      : []),
    '## boot (fresh SQLite, migrations on boot, tsx loader)',
    '',
    '| run | listening ms | first healthy /health ms | RSS MiB |',
    '| ---: | ---: | ---: | ---: |',
    ...r.boot.runs.map(
      (b, i) => `| ${i + 1} | ${b.listeningMs} | ${b.firstHealthyMs} | ${b.rssMiB ?? 'n/a'} |`,
    ),
    '',
    `Median first healthy: ${r.boot.medianFirstHealthyMs} ms; median RSS: ${r.boot.medianRssMiB ?? 'n/a'} MiB.`,
    '',
    ...(r.skipped.length > 0 ? ['Skipped:', ...r.skipped.map((s) => `- ${s}`), ''] : []),
  ];
  return lines.join('\n');
}

/** A health-cost run on its own (`npm run bench:health-cost`). */
export interface HealthCostReport {
  takenAt: string;
  machine: MachineFacts;
  loadAverage1mAfter: number;
  /** What was being measured (e.g. the change under test). */
  label?: string;
  healthCost: HealthCostResult;
}

/** The health-cost table: median req/s per route, then the ratios taken within each round. */
export function healthCostLines(h: HealthCostResult): string[] {
  return [
    ...(h.baselineCommit
      ? [
          `"before" routes: the app of commit ${h.baselineCommit.slice(0, 7)}, in its own process, in the same rounds; ` +
            `the others: ${h.afterCommit ? `commit ${h.afterCommit.slice(0, 7)}` : 'this checkout'}.`,
          '',
        ]
      : []),
    `autocannon, ${h.connections} connections, ${h.rounds} alternating rounds of ${h.durationSeconds} s per route ` +
      `(order rotated each round); req/s are medians over the rounds, ratios are taken within each round and ` +
      `their median reported (min–max beside it). non-2xx ${h.non2xx}, errors ${h.errors}.`,
    '',
    '| route | median req/s | median p99 ms | server CPU µs / request (median) |',
    '| --- | ---: | ---: | ---: |',
    ...h.targets.map(
      (t) =>
        `| ${t.name} | ${t.medianRequestsPerSecond} | ${t.medianP99Ms} | ${t.medianCpuMicrosPerRequest ?? 'n/a'} |`,
    ),
    '',
    '| ratio (req/s) | median | min–max | per round | from CPU per request |',
    '| --- | ---: | --- | --- | ---: |',
    ...h.ratios.map(
      (r) =>
        `| ${r.numerator} / ${r.denominator} | ${r.median} | ${r.min}–${r.max} | ${r.perRound.join(', ')} | ` +
        `${cpuRatio(h, r.numerator, r.denominator)} |`,
    ),
  ];
}

/** The markdown of a health-cost run on its own. */
export function renderHealthCost(r: HealthCostReport): string {
  const m = r.machine;
  return [
    '# healthgate bench: health cost, side by side',
    '',
    `Taken ${r.takenAt} on ${m.cpuModel} (${m.cores} cores, ${m.totalMemoryMiB} MiB), Node ${m.node}, ` +
      `${m.platform}/${m.arch}; load average ${m.loadAverage1m} at the start, ${r.loadAverage1mAfter} at the end` +
      `${r.label ? `; ${r.label}` : ''}.`,
    '',
    ...healthCostLines(r.healthCost),
    '',
  ].join('\n');
}

/**
 * The throughput ratio the servers' CPU cost implies (denominator's µs per request over the numerator's): a
 * saturated single-threaded server serves in inverse proportion to its CPU per request, and CPU time is less
 * skewed by other work on the machine than req/s are.
 */
function cpuRatio(h: HealthCostResult, numerator: string, denominator: string): string {
  const cpu = (key: string) => h.targets.find((t) => t.key === key)?.medianCpuMicrosPerRequest;
  const top = cpu(numerator);
  const bottom = cpu(denominator);
  return top && bottom ? (bottom / top).toFixed(3) : 'n/a';
}
