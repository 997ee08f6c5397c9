/**
 * The phases of each instance refresh a rolling deploy started, from its events: status spans, the percentage
 * complete over time, checkpoints and the rollback, for the report's timeline beside the instances. Pure.
 */
import type { DeployEvent, RollbackBy } from '../../shared/deploy';

/** One status held from `from` to `to` (ms since start; `to` absent while it lasts). */
export interface RefreshPhaseSpan {
  status: string;
  from: number;
  to?: number;
}

/** One instance refresh across the run. */
export interface RefreshTrack {
  refreshId: string;
  group: string;
  /** `restore`: a refresh back to the previous version after one that could no longer be rolled back. */
  purpose: 'deploy' | 'restore';
  templateVersion: string;
  phases: RefreshPhaseSpan[];
  /** The percentage complete each time it changed (ms since start). */
  progress: { t: number; percentage: number }[];
  checkpoints: { t: number; percentage: number }[];
  rollback?: { t: number; by: RollbackBy; reason: string };
}

/**
 * One track per refresh, in the order they started.
 *
 * @example
 * const refreshes = buildRefreshTracks(events, startedAt);
 */
export function buildRefreshTracks(events: readonly DeployEvent[], startedAt: number): RefreshTrack[] {
  const tracks = new Map<string, RefreshTrack>();
  const at = (time: number) => Math.max(0, time - startedAt);
  for (const event of events) {
    if (event.type === 'refresh-started') {
      tracks.set(event.refreshId, {
        refreshId: event.refreshId,
        group: event.group,
        purpose: event.purpose,
        templateVersion: event.templateVersion,
        phases: [],
        progress: [],
        checkpoints: [],
      });
      continue;
    }
    const track =
      event.type === 'refresh-status' || event.type === 'checkpoint' || event.type === 'refresh-rollback'
        ? tracks.get(event.refreshId)
        : undefined;
    if (!track) continue;
    if (event.type === 'checkpoint') {
      track.checkpoints.push({ t: at(event.time), percentage: event.percentage });
    } else if (event.type === 'refresh-rollback') {
      track.rollback ??= { t: at(event.time), by: event.by, reason: event.reason };
    } else if (event.type === 'refresh-status') {
      const last = track.phases.at(-1);
      if (last?.status !== event.status) {
        if (last) last.to = at(event.time);
        track.phases.push({ status: event.status, from: at(event.time) });
      }
      if (track.progress.at(-1)?.percentage !== event.percentageComplete) {
        track.progress.push({ t: at(event.time), percentage: event.percentageComplete });
      }
    }
  }
  for (const track of tracks.values()) {
    const last = track.phases.at(-1);
    // A refresh that ended keeps its last status as a mark, not a span that lasts to the end of the chart.
    if (last && /Successful|Failed|Cancelled/.test(last.status)) last.to = last.from;
  }
  return [...tracks.values()];
}
