/**
 * The baseline group: in a blue/green deploy the canary is the first instance of a new group, so its own group
 * has no in-service instance to compare with. The new group names the serving one in a tag, and the gate takes
 * its baseline there instead.
 */
import type { GroupDescription } from '../aws/autoscaling';

/** Tag on a group naming the group whose in-service instances stand in for its own in a baseline. */
export const BASELINE_GROUP_TAG = 'healthgate:baseline-group';

/** Auto Scaling group names are 1 to 255 characters. */
const MAX_GROUP_NAME = 255;

/**
 * The group named by `group`'s {@link BASELINE_GROUP_TAG}, or undefined when the tag is absent, empty, too long
 * or names the group itself.
 *
 * @example
 * const other = baselineGroupOf(await autoscaling.describeGroup('web-v2')); // 'web-v1'
 */
export function baselineGroupOf(group: Pick<GroupDescription, 'name' | 'tags'>): string | undefined {
  const value = group.tags[BASELINE_GROUP_TAG]?.trim();
  if (!value || value.length > MAX_GROUP_NAME || value === group.name) return undefined;
  return value;
}
