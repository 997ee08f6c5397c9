/**
 * The instance refresh rows of the report's timeline chart: for each refresh, its status as coloured spans, its
 * percentage complete as a line across the row (0 at the bottom, 100 at the top), each checkpoint as a marked
 * tick and the rollback's start as a red mark. Inline SVG, like the instance rows beside it.
 */
import { escapeHtml } from './escape';
import type { RefreshTrack } from './refresh-tracks';

/** Colours of the refresh statuses; the legend shows them. */
export const REFRESH_COLOURS: Record<string, string> = {
  Pending: '#d0ebff',
  InProgress: '#74c0fc',
  Baking: '#63e6be',
  Cancelling: '#ced4da',
  RollbackInProgress: '#ffa8a8',
};

/** Height of one refresh row. */
export const REFRESH_ROW = 34;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One row per refresh, starting at `y`. */
export function refreshRows(
  tracks: readonly RefreshTrack[],
  y: number,
  x: (t: number) => number,
  span: number,
): string {
  return tracks
    .map((track, i) => {
      const top = y + i * REFRESH_ROW;
      const inner = { top: top + 4, height: REFRESH_ROW - 8 };
      const spans = track.phases
        .filter((p) => p.to === undefined || p.to > p.from)
        .map((p) => {
          const end = p.to ?? span;
          return `<rect class="refresh-phase" x="${x(p.from)}" y="${inner.top}" width="${Math.max(1.5, x(end) - x(p.from))}" height="${inner.height}" fill="${REFRESH_COLOURS[p.status] ?? '#e9ecef'}" data-status="${escapeHtml(p.status)}"><title>${escapeHtml(`${p.status}: ${seconds(p.from)} – ${seconds(end)}`)}</title></rect>`;
        })
        .join('');
      const level = (percentage: number) => inner.top + inner.height - (inner.height * percentage) / 100;
      const points: string[] = [];
      for (const [k, sample] of track.progress.entries()) {
        const next = track.progress[k + 1]?.t ?? track.phases.at(-1)?.to ?? span;
        points.push(`${x(sample.t)},${level(sample.percentage)}`, `${x(next)},${level(sample.percentage)}`);
      }
      const line = points.length
        ? `<polyline class="refresh-progress" points="${points.join(' ')}"><title>${escapeHtml(track.progress.map((p) => `${p.percentage}% at ${seconds(p.t)}`).join(', '))}</title></polyline>`
        : '';
      const checkpoints = track.checkpoints
        .map(
          (c) =>
            `<g class="refresh-checkpoint" data-percentage="${c.percentage}"><line x1="${x(c.t)}" y1="${top + 1}" x2="${x(c.t)}" y2="${top + REFRESH_ROW - 1}"/><text x="${x(c.t) + 3}" y="${top + 11}">${c.percentage}%</text><title>${escapeHtml(`checkpoint ${c.percentage}% at ${seconds(c.t)}`)}</title></g>`,
        )
        .join('');
      const rollback = track.rollback
        ? `<path class="refresh-rollback" d="M${x(track.rollback.t)},${top + 4} l6,${REFRESH_ROW / 2 - 4} l-6,${REFRESH_ROW / 2 - 4} l-6,-${REFRESH_ROW / 2 - 4} z"><title>${escapeHtml(`rollback (${track.rollback.by}) at ${seconds(track.rollback.t)}: ${track.rollback.reason}`)}</title></path>`
        : '';
      const ended = track.phases.at(-1);
      const label = `refresh ${track.refreshId.slice(0, 8)}${track.purpose === 'restore' ? ' (restore)' : ''} → v${track.templateVersion}${ended ? ` ${ended.status}` : ''}`;
      return `<g class="refresh" data-refresh="${escapeHtml(track.refreshId)}" data-status="${escapeHtml(ended?.status ?? '')}"><text x="4" y="${top + REFRESH_ROW / 2 + 4}" class="label">${escapeHtml(label)}</text>${spans}${line}${checkpoints}${rollback}</g>`;
    })
    .join('\n');
}
