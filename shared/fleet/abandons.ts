import type { AutoScalingAdapter, ScalingActivity } from '../aws/autoscaling';

// Auto Scaling's wording (also the local control plane's) for a launch whose lifecycle action was abandoned.
const ABANDONED = /Lifecycle Action Completed with ABANDON Result/;

/** Whether a scaling activity is a launch cancelled because its lifecycle action was abandoned. */
export function isAbandonedLaunch(activity: ScalingActivity): boolean {
  return (
    activity.statusCode === 'Cancelled' &&
    ABANDONED.test(`${activity.statusMessage ?? ''} ${activity.description ?? ''}`)
  );
}

/**
 * How many launches of a group were abandoned by a lifecycle hook (since `since`, when given), from
 * DescribeScalingActivities. Auto Scaling itself is the record: the gate keeps no counter of its own, so
 * the count survives any invocation and needs no extra store or IAM write permission. A blue/green deploy
 * gives each version its own group, so the group's count is the version's count; for a new launch-template
 * version in place, pass the time the version was rolled out as `since`. The deploy driver compares the
 * count with the policy's `maxAbandonsPerVersion` and stops the rollout.
 *
 * @example
 * const abandons = await countAbandonedLaunches(autoscaling, 'web-green');
 * if (abandons >= policy.maxAbandonsPerVersion) stopRollout();
 */
export async function countAbandonedLaunches(
  autoscaling: Pick<AutoScalingAdapter, 'describeScalingActivities'>,
  group: string,
  options: { since?: Date; limit?: number } = {},
): Promise<number> {
  const activities = await autoscaling.describeScalingActivities(group, { limit: options.limit ?? 100 });
  const since = options.since?.getTime();
  return activities.filter(
    (a) => isAbandonedLaunch(a) && (since === undefined || (a.startTime?.getTime() ?? 0) >= since),
  ).length;
}
