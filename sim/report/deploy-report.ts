/**
 * The report of a deploy run outside a rehearsal (`healthgate deploy`): the same JSON and HTML as a scenario's,
 * built from the deploy's own events, since there is no local timeline to read. Pure.
 */
import type { DeployEvent, DeployResult } from '../../shared/deploy';
import { describeDeployEvent } from './describe';
import { buildRefreshTracks } from './refresh-tracks';
import type { InstanceTrack, RunEntry, ScenarioReport } from './types';

/**
 * One deploy as a report: its timeline, the new group's instances as the deploy observed them (states; the
 * gate's decisions show as abandoned launches), and one expectation: that it went live.
 *
 * @example
 * const report = deployReport(events, result, { name: 'deploy-web-v2', description: 'v2 beside web-v1' });
 */
export function deployReport(
  events: readonly DeployEvent[],
  result: DeployResult,
  about: { name: string; description: string },
): ScenarioReport {
  const startedAt = result.startedAt;
  const at = (time: number) => Math.max(0, time - startedAt);
  const entries: RunEntry[] = events.map((event) => ({
    time: event.time,
    t: at(event.time),
    ...describeDeployEvent(event),
  }));
  const tracks = new Map<string, InstanceTrack>();
  for (const event of events) {
    if (event.type !== 'instance-state') continue;
    let track = tracks.get(event.instanceId);
    if (!track) {
      // Rolling: old and new versions share the group; the instance's launch template version tells them apart.
      const made = events.find((e) => e.type === 'launch-template-version');
      const rolledOut = made?.type === 'launch-template-version' ? made.templateVersion : undefined;
      track = {
        instanceId: event.instanceId,
        group: event.group,
        version:
          event.launchTemplateVersion !== undefined && rolledOut !== undefined
            ? event.launchTemplateVersion === rolledOut
              ? result.version
              : `launch template version ${event.launchTemplateVersion}`
            : event.group === result.group
              ? result.version
              : event.group,
        states: [],
        decisions: [],
        lb: [],
      };
      tracks.set(event.instanceId, track);
    }
    const last = track.states.at(-1);
    if (last && last.to === undefined) last.to = at(event.time);
    track.states.push({
      state: event.to,
      from: at(event.time),
      ...(event.to === 'Terminated' ? { to: at(event.time) } : {}),
    });
  }
  const report = result.report;
  return {
    scenario: about.name,
    description: about.description,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: result.endedAt - startedAt,
    passed: result.outcome === 'deployed',
    expectations: [
      {
        step: 1,
        what: `deploy ${result.version}: outcome`,
        expected: 'deployed',
        actual: `${result.outcome}${result.failure ? ` (${result.failure})` : ''}`,
        ok: result.outcome === 'deployed',
      },
    ],
    deploys: [
      {
        step: 1,
        version: result.version,
        group: result.group,
        ...(result.strategy ? { strategy: result.strategy } : {}),
        ...(result.previousGroup ? { previousGroup: result.previousGroup } : {}),
        outcome: result.outcome,
        ...(result.failure ? { failure: result.failure } : {}),
        detail: result.detail,
        abandons: result.abandons,
        ...(report
          ? {
              verdict: report.verdict,
              verdictReasons: report.reasons.map(
                (r) => `${r.verdict} ${r.reason}${r.instanceId ? ` ${r.instanceId}` : ''}: ${r.detail}`,
              ),
            }
          : {}),
        startedT: 0,
        endedT: at(result.endedAt),
      },
    ],
    instances: [...tracks.values()],
    refreshes: buildRefreshTracks(events, startedAt),
    entries,
  };
}
