/**
 * The HTML report: one self-contained page (inline CSS and SVG, no script, no external asset) with a
 * per-instance timeline chart, the expectations and the whole timeline. Hand-written: a chart of coloured spans
 * needs no charting library, and the page must open offline.
 */
import { escapeHtml } from './escape';
import { REFRESH_COLOURS, REFRESH_ROW, refreshRows } from './refresh-chart';
import type { InstanceTrack, ScenarioReport } from './types';

export { escapeHtml };

const STATE_COLOURS: Record<string, string> = {
  Pending: '#b0b7c3',
  'Pending:Wait': '#f0b429',
  'Pending:Proceed': '#8bd49c',
  InService: '#2f9e44',
  Terminating: '#e8590c',
  'Terminating:Wait': '#e8590c',
  'Terminating:Proceed': '#e8590c',
};

const LABEL_WIDTH = 230;
const CHART_WIDTH = 760;
const ROW = 24;
const AXIS = 28;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function chart(report: ScenarioReport): string {
  const span = Math.max(report.durationMs, 1);
  const x = (t: number) => LABEL_WIDTH + (Math.min(t, span) / span) * CHART_WIDTH;
  const refreshes = report.refreshes ?? [];
  const rowsTop = AXIS + refreshes.length * REFRESH_ROW;
  const height = rowsTop + report.instances.length * ROW + 10;
  const width = LABEL_WIDTH + CHART_WIDTH + 20;
  const ticks: string[] = [];
  const step = span > 60_000 ? 10_000 : span > 20_000 ? 5_000 : 2_000;
  for (let t = 0; t <= span; t += step) {
    ticks.push(
      `<line x1="${x(t)}" y1="${AXIS - 6}" x2="${x(t)}" y2="${height}" class="grid"/><text x="${x(t)}" y="${AXIS - 10}" class="tick">${t / 1000}s</text>`,
    );
  }
  const deployBands = report.deploys
    .map(
      (d) =>
        `<rect x="${x(d.startedT)}" y="0" width="${Math.max(1, x(d.endedT) - x(d.startedT))}" height="${height}" class="band ${d.outcome}"><title>${escapeHtml(`deploy ${d.version}: ${d.outcome}${d.failure ? ` (${d.failure})` : ''}`)}</title></rect>`,
    )
    .join('');
  const rows = [
    refreshRows(refreshes, AXIS, x, span),
    ...report.instances.map((track, i) => row(track, rowsTop + i * ROW, x, span)),
  ].join('\n');
  return `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="per-instance timeline">
${deployBands}${ticks.join('')}
${rows}
</svg>`;
}

function row(track: InstanceTrack, y: number, x: (t: number) => number, span: number): string {
  const spans = track.states
    .filter((s) => s.state !== 'Terminated')
    .map((s) => {
      const end = s.to ?? span;
      const colour = STATE_COLOURS[s.state] ?? '#868e96';
      return `<rect class="span" x="${x(s.from)}" y="${y + 4}" width="${Math.max(1.5, x(end) - x(s.from))}" height="${ROW - 8}" fill="${colour}" data-state="${escapeHtml(s.state)}"><title>${escapeHtml(`${s.state}: ${seconds(s.from)} – ${seconds(end)}`)}</title></rect>`;
    })
    .join('');
  const marks = track.decisions
    .map(
      (d) =>
        `<circle class="decision ${d.action === 'CONTINUE' ? 'continue' : 'abandon'}" cx="${x(d.t)}" cy="${y + ROW / 2}" r="6" data-reason="${escapeHtml(d.reason)}"><title>${escapeHtml(`${d.action} ${d.reason} at ${seconds(d.t)}${d.afterMs !== undefined ? ` (${seconds(d.afterMs)} after the hook)` : ''}: ${d.detail}`)}</title></circle>`,
    )
    .join('');
  const label = `${track.instanceId} ${track.version}${track.privateIp ? ` ${track.privateIp}` : ''}`;
  return `<g class="track" data-instance="${escapeHtml(track.instanceId)}" data-version="${escapeHtml(track.version)}"><text x="4" y="${y + ROW / 2 + 4}" class="label">${escapeHtml(label)}</text>${spans}${marks}</g>`;
}

/** The legend of the refresh rows, when there are any: status colours, the progress line, checkpoints, rollback. */
function refreshLegend(report: ScenarioReport): string {
  if (!report.refreshes?.length) return '';
  const statuses = Object.entries(REFRESH_COLOURS)
    .map(
      ([status, colour]) => `<span><i style="background:${colour}"></i>refresh ${escapeHtml(status)}</span>`,
    )
    .join('');
  return `<p class="legend">${statuses}<span><i style="background:#1864ab;height:2px"></i>percentage complete</span><span><i style="background:#5f3dc4;width:2px"></i>checkpoint</span><span><i style="background:#c92a2a;transform:rotate(45deg)"></i>rollback begins</span></p>`;
}

/**
 * Renders the report as one HTML page.
 *
 * @example
 * await writeFile('reports/rollout.html', renderHtml(report));
 */
export function renderHtml(report: ScenarioReport): string {
  const status = report.passed ? 'passed' : 'failed';
  const expectations = report.expectations
    .map(
      (e) =>
        `<tr class="${e.ok ? 'ok' : 'mismatch'}"><td>${e.step}</td><td>${escapeHtml(e.what)}</td><td>${escapeHtml(e.expected)}</td><td>${escapeHtml(e.actual)}</td><td>${e.ok ? '✓' : '✗'}</td></tr>`,
    )
    .join('\n');
  const deploys = report.deploys
    .map(
      (d) =>
        `<tr class="${d.outcome}"><td>${d.step}</td><td>${escapeHtml(d.version)}</td><td>${escapeHtml(d.group)}</td><td>${escapeHtml(d.outcome)}${d.failure ? ` (${escapeHtml(d.failure)})` : ''}</td><td>${d.abandons}</td><td>${escapeHtml(d.verdict ?? '')}</td><td>${seconds(d.endedT - d.startedT)}</td><td>${escapeHtml(d.detail)}</td></tr>`,
    )
    .join('\n');
  const entries = report.entries
    .map(
      (e) =>
        `<tr class="${e.tone}"><td>${seconds(e.t)}</td><td>${escapeHtml(e.source)}</td><td>${escapeHtml(e.instanceId ?? e.group ?? '')}</td><td>${escapeHtml(e.text)}</td></tr>`,
    )
    .join('\n');
  const legend = Object.entries(STATE_COLOURS)
    .filter(([state]) => !state.startsWith('Terminating:'))
    .map(([state, colour]) => `<span><i style="background:${colour}"></i>${escapeHtml(state)}</span>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>healthgate — ${escapeHtml(report.scenario)} (${status})</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #212529; }
h1 { font-size: 20px; margin: 0 0 4px; }
.status { font-weight: 600; padding: 2px 8px; border-radius: 4px; color: #fff; }
.status.passed { background: #2f9e44; } .status.failed { background: #c92a2a; }
table { border-collapse: collapse; margin: 8px 0 20px; }
td, th { border-bottom: 1px solid #dee2e6; padding: 3px 8px; text-align: left; vertical-align: top; }
tr.mismatch td, tr.bad td { color: #c92a2a; } tr.good td { color: #2b8a3e; } tr.step td { font-weight: 600; }
.timeline .label { font: 11px ui-monospace, monospace; fill: #343a40; }
.timeline .tick { font: 10px sans-serif; fill: #868e96; text-anchor: middle; }
.timeline .grid { stroke: #f1f3f5; }
.timeline .band { fill: #e7f5ff; opacity: 0.5; } .timeline .band.rolled-back { fill: #fff5f5; }
.timeline .decision { stroke: #fff; stroke-width: 1.5; }
.timeline .decision.continue { fill: #1971c2; } .timeline .decision.abandon { fill: #c92a2a; }
.timeline .refresh-progress { fill: none; stroke: #1864ab; stroke-width: 2; }
.timeline .refresh-checkpoint line { stroke: #5f3dc4; stroke-width: 2; stroke-dasharray: 3 2; }
.timeline .refresh-checkpoint text { font: 10px sans-serif; fill: #5f3dc4; }
.timeline .refresh-rollback { fill: #c92a2a; stroke: #fff; stroke-width: 1; }
.legend span { margin-right: 14px; } .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }
.chart { overflow-x: auto; }
</style>
</head>
<body>
<h1>healthgate scenario <code>${escapeHtml(report.scenario)}</code> <span class="status ${status}">${status}</span></h1>
<p>${escapeHtml(report.description)}</p>
<p>Started ${escapeHtml(report.startedAt)}, took ${seconds(report.durationMs)}.${report.error ? ` <strong>Error: ${escapeHtml(report.error)}</strong>` : ''}</p>
<h2>Instances</h2>
<p class="legend">${legend}<span><i style="background:#1971c2;border-radius:6px"></i>gate CONTINUE</span><span><i style="background:#c92a2a;border-radius:6px"></i>gate ABANDON</span></p>${refreshLegend(report)}
<div class="chart">${chart(report)}</div>
<h2>Expected outcomes</h2>
<table><thead><tr><th>step</th><th>what</th><th>expected</th><th>actual</th><th></th></tr></thead><tbody>
${expectations}
</tbody></table>
<h2>Deploys</h2>
<table><thead><tr><th>step</th><th>version</th><th>group</th><th>outcome</th><th>abandons</th><th>verdict</th><th>took</th><th>detail</th></tr></thead><tbody>
${deploys}
</tbody></table>
<h2>Timeline</h2>
<table class="entries"><thead><tr><th>time</th><th>source</th><th>instance / group</th><th>what</th></tr></thead><tbody>
${entries}
</tbody></table>
</body>
</html>
`;
}
