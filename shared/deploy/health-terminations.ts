/**
 * Instances Auto Scaling took out of service on a health check, read from its scaling activities (the record that
 * outlives the instance): pure. The gate marks an instance the load balancer rejects Unhealthy with
 * SetInstanceHealth, and Auto Scaling then terminates it with "…taken out of service in response to a user
 * health-check"; an ELB health check of its own says "…in response to an ELB system health check failure".
 */
import type { ScalingActivity } from '../aws';

const TERMINATING = /^Terminating EC2 instance: (i-[0-9a-f]+)/;
const HEALTH_CHECK = /taken out of service in response to an? .*health[ -]check/i;

/**
 * The ids of the instances whose termination a health check caused, in the activities' order (newest first).
 *
 * @example
 * healthTerminations(await autoscaling.describeScalingActivities('web')); // ['i-0abc…']
 */
export function healthTerminations(activities: readonly ScalingActivity[]): string[] {
  return activities.flatMap((a) => {
    const id = TERMINATING.exec(a.description ?? '')?.[1];
    return id && HEALTH_CHECK.test(a.cause ?? '') ? [id] : [];
  });
}
