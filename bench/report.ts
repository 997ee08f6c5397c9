import type { BootResult } from './boot';
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
