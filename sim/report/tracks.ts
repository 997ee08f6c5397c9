/** Per-instance tracks (lifecycle spans, gate decisions, LB states) from the sim's timeline: pure. */
import type { TimelineEntry } from '../timeline';
import { entryInstance } from './describe';
import { decisionsInLogs } from './gate-log';
import type { InstanceTrack } from './types';

/**
 * Builds one track per instance, in launch order. `versionOf` names the version an instance of a group runs.
 *
 * @example
 * const tracks = buildTracks(stack.timeline.entries, start, (g) => g.replace(/^web-/, ''));
 */
export function buildTracks(
  entries: readonly TimelineEntry[],
  startedAt: number,
  versionOf: (group: string, instanceId: string) => string,
): InstanceTrack[] {
  const tracks = new Map<string, InstanceTrack>();
  const actionStart = new Map<string, number>();
  // When CompleteLifecycleAction took effect, per instance: the decision's time (the invocation that made it
  // may end later, after watching the load balancer).
  const completed = new Map<string, number>();
  const at = (time: number) => Math.max(0, time - startedAt);
  for (const entry of entries) {
    if (entry.kind === 'instance') {
      let track = tracks.get(entry.instanceId);
      if (!track) {
        track = {
          instanceId: entry.instanceId,
          group: entry.groupName,
          version: versionOf(entry.groupName, entry.instanceId),
          states: [],
          decisions: [],
          lb: [],
        };
        tracks.set(entry.instanceId, track);
      }
      const last = track.states.at(-1);
      if (last && last.to === undefined) last.to = at(entry.time);
      if (entry.to === 'Pending:Wait') actionStart.set(entry.instanceId, entry.time);
      track.states.push({
        state: entry.to,
        from: at(entry.time),
        ...(entry.to === 'Terminated' ? { to: at(entry.time) } : {}),
      });
      continue;
    }
    if (entry.kind === 'lifecycle-action' && entry.cause === 'CompleteLifecycleAction') {
      completed.set(entry.instanceId, entry.time);
    }
    // A batch of steps may decide several instances: its log names each one.
    const logged = entry.kind === 'invocation-end' ? decisionsInLogs(entry.record.logs) : [];
    for (const d of logged) {
      const decided = tracks.get(d.instanceId);
      if (!decided) continue;
      const start = actionStart.get(d.instanceId);
      const time = completed.get(d.instanceId) ?? entry.time;
      decided.decisions.push({
        t: at(time),
        action: d.action,
        reason: d.reason,
        detail: d.detail,
        ...(start !== undefined ? { afterMs: time - start } : {}),
      });
    }
    const id = entryInstance(entry);
    const track = id ? tracks.get(id) : undefined;
    if (!track) continue;
    if (entry.kind === 'process-started') track.privateIp = entry.privateIp;
    if (entry.kind === 'lb-health') track.lb.push({ t: at(entry.time), state: entry.state });
    if (entry.kind === 'invocation-end' && entry.record.outcome === 'success' && logged.length === 0) {
      const result = entry.record.result as
        | { outcome?: string; decision?: { action: string; reason: string; detail: string } }
        | undefined;
      if (result?.outcome === 'decided' && result.decision) {
        const start = actionStart.get(track.instanceId);
        const time = completed.get(track.instanceId) ?? entry.time;
        track.decisions.push({
          t: at(time),
          action: result.decision.action,
          reason: result.decision.reason,
          detail: result.decision.detail,
          ...(start !== undefined ? { afterMs: time - start } : {}),
        });
      }
    }
  }
  return [...tracks.values()];
}
