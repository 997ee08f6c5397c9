/** The rollout's timeline and closing summary as text lines: pure (`rehearse` and `deploy` print them). */
import type { RunEntry, ScenarioReport } from '../sim/report/types';
import { Colour, type Paint } from './terminal';

const TONE_COLOUR: Record<RunEntry['tone'], Colour> = {
  info: Colour.plain,
  good: Colour.green,
  bad: Colour.red,
  step: Colour.bold,
};

/** One timeline line: time, instance or group, what happened. */
export function formatEntry(entry: RunEntry, paint: Paint): string {
  const time = `${(entry.t / 1000).toFixed(1).padStart(6)}s`;
  const who = (entry.instanceId ?? entry.group ?? entry.source).padEnd(19);
  return `${paint(Colour.dim, time)}  ${paint(Colour.cyan, who)}  ${paint(TONE_COLOUR[entry.tone], entry.text)}`;
}

/** The closing summary: expectations, the reports' paths, the verdict of the run. */
export function formatSummary(
  report: ScenarioReport,
  paint: Paint,
  paths?: { json: string; html: string },
): string {
  const lines = ['', `expected outcomes of ${report.scenario}:`];
  for (const e of report.expectations) {
    const mark = e.ok ? paint(Colour.green, '✓') : paint(Colour.red, '✗');
    lines.push(
      `  ${mark} step ${e.step} ${e.what}: ${e.ok ? e.actual : `expected ${e.expected}, got ${e.actual}`}`,
    );
  }
  if (report.error) lines.push(`  ${paint(Colour.red, '✗')} the run failed: ${report.error}`);
  if (paths) lines.push('', `reports: ${paths.json}`, `         ${paths.html}`);
  const mismatches = report.expectations.filter((e) => !e.ok).length + (report.error ? 1 : 0);
  const seconds = (report.durationMs / 1000).toFixed(1);
  lines.push(
    '',
    report.passed
      ? paint(Colour.green, `${report.scenario}: every outcome as expected (${seconds} s)`)
      : paint(Colour.red, `${report.scenario}: ${mismatches} mismatch(es) (${seconds} s)`),
  );
  return `${lines.join('\n')}\n`;
}
