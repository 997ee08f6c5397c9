/**
 * One look at a group as a deploy sees it (its instances, their load-balancer health, the launches its hook
 * abandoned) and the events made of what changed: shared by the blue/green and the rolling drivers.
 */
import type { AutoScalingAdapter, ElbAdapter, ElbV2Adapter, GroupDescription, ScalingActivity } from '../aws';
import { isAbandonedLaunch } from '../fleet/abandons';
import type { RollbackReport } from '../rollback';
import type { DeployEvent, VerdictSummary } from './events';
import { isLbHealthy, type ObservedInstance } from './progress';

/** What {@link observe} reads through. */
export interface ObserveDeps {
  autoscaling: Pick<AutoScalingAdapter, 'describeGroup' | 'describeScalingActivities'>;
  elb: Pick<ElbAdapter, 'describeInstanceHealth'>;
  elbv2: Pick<ElbV2Adapter, 'describeTargetHealth'>;
}

/** One observation of a group. */
export interface GroupLook {
  description: GroupDescription;
  instances: ObservedInstance[];
  /** Launches abandoned by the group's hook (since `since`, when given). */
  abandons: number;
  /** The group's scaling activities since `since` (all read, when not given), newest first. */
  activities: ScalingActivity[];
}

/** Reads the group, its abandoned launches and every InService instance's view on each of its load balancers. */
export async function observe(
  deps: ObserveDeps,
  group: string,
  options: { since?: Date } = {},
): Promise<GroupLook> {
  const description = await deps.autoscaling.describeGroup(group);
  const since = options.since?.getTime();
  const activities = (await deps.autoscaling.describeScalingActivities(group, { limit: 100 })).filter(
    (a) => since === undefined || (a.startTime?.getTime() ?? 0) >= since,
  );
  const abandons = activities.filter(isAbandonedLaunch).length;
  const inService = description.instances
    .filter((i) => i.lifecycleState === 'InService')
    .map((i) => i.instanceId);
  const healthy = new Map<string, boolean>(inService.map((id) => [id, true]));
  if (inService.length > 0) {
    for (const name of description.loadBalancerNames) {
      const states = new Map(
        (await deps.elb.describeInstanceHealth(name, inService)).map((h) => [h.instanceId, h.state]),
      );
      for (const id of inService) {
        if (!isLbHealthy({ kind: 'classic', name, state: states.get(id) ?? 'Unknown' }))
          healthy.set(id, false);
      }
    }
    for (const arn of description.targetGroupArns) {
      const states = new Map(
        (
          await deps.elbv2.describeTargetHealth(
            arn,
            inService.map((id) => ({ id })),
          )
        ).map((t) => [t.id, t.state]),
      );
      for (const id of inService) {
        if (!isLbHealthy({ kind: 'target-group', name: arn, state: states.get(id) ?? 'unused' })) {
          healthy.set(id, false);
        }
      }
    }
  }
  return {
    description,
    abandons,
    activities,
    instances: description.instances.map((i) => ({
      instanceId: i.instanceId,
      lifecycleState: i.lifecycleState,
      lbHealthy: healthy.get(i.instanceId) ?? false,
    })),
  };
}

/** Calls `onChange` for every instance whose lifecycle state changed since the last call (gone: Terminated). */
export function diffStates(
  states: Map<string, string>,
  instances: readonly ObservedInstance[],
  onChange: (instanceId: string, from: string | undefined, to: string) => void,
): void {
  const seen = new Set<string>();
  for (const i of instances) {
    seen.add(i.instanceId);
    const from = states.get(i.instanceId);
    if (from !== i.lifecycleState) {
      states.set(i.instanceId, i.lifecycleState);
      onChange(i.instanceId, from, i.lifecycleState);
    }
  }
  for (const [id, from] of states) {
    if (!seen.has(id) && from !== 'Terminated') {
      states.set(id, 'Terminated');
      onChange(id, from, 'Terminated');
    }
  }
}

/** The deploy event of a rollback check: the winning verdict's reasons. */
export function verdictEvent(
  time: number,
  report: RollbackReport,
): Extract<DeployEvent, { type: 'verdict' }> {
  const winning = report.reasons.filter((r) => r.verdict === report.verdict);
  return {
    type: 'verdict',
    time,
    group: report.group,
    verdict: report.verdict,
    reasons: winning.map((r) => ({
      reason: r.reason,
      ...(r.instanceId ? { instanceId: r.instanceId } : {}),
      detail: r.detail,
    })),
  };
}

/** The reasons of a verdict, in one line. */
export function summarise(reasons: readonly VerdictSummary[]): string {
  return reasons.map((r) => `${r.reason}${r.instanceId ? ` ${r.instanceId}` : ''}: ${r.detail}`).join('; ');
}
