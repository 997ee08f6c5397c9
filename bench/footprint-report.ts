/** The results of `npm run bench:footprint` and their markdown, judged against issue 11's targets. */
import type { MachineFacts } from './report';

/** What one process of the rotation is, and its samples (one per round). */
export interface Target {
  name: string;
  /** `this checkout`, the baseline commit, or `-` for bare node. */
  source: string;
  bundleBytes?: number;
  zipBytes?: number;
  ms: number[];
  peakRssMiB: number[];
}

export interface BundleFigures {
  name: string;
  source: string;
  bundleBytes: number;
  zipBytes: number;
  /** Median spawn-to-exit of a node importing the bundle, ms. */
  importMs: number;
  /** Median over rounds of (import − bare node) in the same round, ms. */
  overBareMs: number;
  overBareRatio: number;
  peakRssMiB: number;
  overBareRssMiB: number;
}

export interface FootprintResults {
  takenAt: string;
  source: { commit: string; baseline?: string };
  machine: MachineFacts;
  loadAverage1mAfter: number;
  runs: number;
  bareNode: { ms: number; peakRssMiB: number };
  bundles: BundleFigures[];
  /** From the latest gate bench (null when there is none). */
  calls: {
    perLaunchAtDefaults: number;
    perLaunchAtScale: number[];
    byActionAtDefaults: Record<string, number>;
    takenAt: string;
    commit: string;
  } | null;
}

/** Issue 11's targets. */
export const FOOTPRINT_TARGETS = { bundleBytes: 1_500_000, overBareMs: 150, callsPerLaunch: 6 } as const;

const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');

export function renderFootprint(r: FootprintResults): string {
  const m = r.machine;
  const lines = [
    '# Function footprint (`npm run bench:footprint`)',
    '',
    `Taken ${r.takenAt} at ${r.source.commit.slice(0, 12)} on ${m.cpuModel} (${m.cores} cores, ` +
      `${m.totalMemoryMiB} MiB), Node ${m.node}; load average ${m.loadAverage1m} before, ` +
      `${r.loadAverage1mAfter} after. ${r.runs} rounds, the order rotated each round; medians.`,
    '',
    `Bare node (\`node --input-type=module -e ""\`): ${r.bareNode.ms.toFixed(0)} ms spawn to exit, ` +
      `peak RSS ${r.bareNode.peakRssMiB.toFixed(1)} MiB.`,
    '',
    '| function | source | bundle MB | zip MB | cold import ms | over bare node ms | ratio | peak RSS MiB | RSS over bare MiB | bundle ≤ 1.5 MB | import ≤ 150 ms over bare |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.bundles.map(
      (b) =>
        `| ${b.name} | ${b.source} | ${mb(b.bundleBytes)} | ${mb(b.zipBytes)} | ${b.importMs.toFixed(0)} | ` +
        `${b.overBareMs.toFixed(0)} | ${b.overBareRatio.toFixed(2)} | ${b.peakRssMiB.toFixed(1)} | ` +
        `${b.overBareRssMiB.toFixed(1)} | ${verdict(b.bundleBytes <= FOOTPRINT_TARGETS.bundleBytes)} | ` +
        `${verdict(b.overBareMs <= FOOTPRINT_TARGETS.overBareMs)} |`,
    ),
    '',
  ];
  if (r.calls) {
    const c = r.calls;
    lines.push(
      `Control-plane calls per gated launch (from \`npm run bench:gate\`, ${c.takenAt} at ${c.commit.slice(0, 12)}): ` +
        `${c.perLaunchAtDefaults} at the defaults (target ≤ ${FOOTPRINT_TARGETS.callsPerLaunch}: ` +
        `${verdict(c.perLaunchAtDefaults <= FOOTPRINT_TARGETS.callsPerLaunch)}), ` +
        `${c.perLaunchAtScale.join(' / ')} at 200 at once (each round). At the defaults: ` +
        `${Object.entries(c.byActionAtDefaults)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')} (SendMessage and heartbeats are step scheduling, not counted).`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
