import type { InstanceReport, RollbackReport } from './inspect';
import type { LbObservation } from './verdict';

const COLUMNS = [
  'INSTANCE',
  'LIFECYCLE',
  'ASG',
  'LOAD BALANCERS',
  'HEALTH',
  'MS',
  'VERSION',
  'FAILING',
] as const;

/**
 * The report as plain text: one row per instance, then the verdict and its reasons.
 *
 * @example
 * process.stdout.write(formatReport(await check('web-green')));
 */
export function formatReport(report: RollbackReport): string {
  const rows = report.instances.map(row);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [
    `group ${report.group}  (probed on port ${report.probe.port}, path ${report.probe.path}; ${report.checkedAt})`,
    '',
    line(COLUMNS),
    ...rows.map(line),
  ];
  if (rows.length === 0) out.push('(no instances)');
  const versions = Object.entries(report.versions).map(([v, n]) => `${v} ×${n}`);
  out.push('', `versions in service: ${versions.length > 0 ? versions.join(', ') : 'none reported'}`);
  out.push('', `verdict: ${report.verdict.toUpperCase()}`);
  for (const r of report.reasons) {
    out.push(`  ${r.verdict.padEnd(8)} ${r.reason}${r.instanceId ? ` ${r.instanceId}` : ''}: ${r.detail}`);
  }
  return `${out.join('\n')}\n`;
}

function row(i: InstanceReport): string[] {
  const failing = i.health?.failingChecks.map((c) => (c.transient ? c.name : `${c.name}!`)) ?? [];
  const health = i.health
    ? `${i.health.outcome}${i.health.httpStatus !== undefined ? ` ${i.health.httpStatus}` : ''}`
    : '-';
  return [
    i.instanceId,
    i.lifecycleState,
    i.healthStatus ?? '-',
    i.lb.length > 0 ? i.lb.map(lbCell).join(' ') : '-',
    health,
    i.probeLatencyMs !== undefined ? String(Math.round(i.probeLatencyMs)) : '-',
    i.version ?? '-',
    failing.length > 0 ? failing.join(',') : i.health?.error ? `(${i.health.error})` : '-',
  ];
}

/** `name=state`, with a target group's ARN shortened to its name. */
function lbCell(lb: LbObservation): string {
  const name =
    lb.kind === 'target-group' ? (/targetgroup\/([^/]+)/.exec(lb.target)?.[1] ?? lb.target) : lb.target;
  return `${name}=${lb.state}`;
}
