/** The new group's CreateAutoScalingGroup input, from the fleet settings: pure. */
import type { CreateAutoScalingGroupCommandInput } from '@aws-sdk/client-auto-scaling';
import { BASELINE_GROUP_TAG } from '../fleet/baseline-group';
import {
  type FleetSettings,
  groupHealthCheck,
  instanceMaintenancePolicy,
  launchHookSpecification,
} from '../fleet/settings';

/** The tag every group of a deploy carries with its version. */
export const VERSION_TAG = 'healthgate:version';

/**
 * The tag naming the deploy that created a group: a deploy removes a group only when it carries its own id, so a
 * failure never deletes a group someone else made under the same name.
 */
export const DEPLOY_ID_TAG = 'healthgate:deploy-id';

/** The new group as the deploy describes it. */
export interface NewGroupSpec {
  groupName: string;
  version: string;
  launchTemplate: { id?: string; name?: string; version: string };
  desiredCapacity: number;
  minSize?: number;
  maxSize?: number;
  loadBalancerNames?: readonly string[];
  targetGroupArns?: readonly string[];
  /** Subnets (comma-separated), as in AWS; the sim uses availability zones instead. */
  vpcZoneIdentifier?: string;
  availabilityZones?: readonly string[];
  tags?: Readonly<Record<string, string>>;
  /** Tagged as {@link DEPLOY_ID_TAG} on the group (not its instances). */
  deployId?: string;
  /**
   * The serving group this one replaces: tagged as the gate's baseline group (`healthgate:baseline-group`), so a
   * canary failing a shared check is compared with its in-service instances while the new group has none.
   */
  baselineGroupName?: string;
}

/**
 * The group with the lifecycle hook declared at creation (no instance can launch before the hook exists), the
 * group health check, the instance maintenance policy and the load balancers, as shared/fleet/settings.ts defines
 * them.
 *
 * @example
 * await autoscaling.createAutoScalingGroup(createGroupInput(spec, FLEET_SETTINGS));
 */
export function createGroupInput(
  spec: NewGroupSpec,
  settings: FleetSettings,
): CreateAutoScalingGroupCommandInput {
  const tags: Record<string, string> = { ...spec.tags, [VERSION_TAG]: spec.version };
  const baseline = spec.baselineGroupName ?? tags[BASELINE_GROUP_TAG];
  delete tags[BASELINE_GROUP_TAG];
  delete tags[DEPLOY_ID_TAG];
  const groupTags: Record<string, string> = {
    ...(baseline ? { [BASELINE_GROUP_TAG]: baseline } : {}),
    ...(spec.deployId ? { [DEPLOY_ID_TAG]: spec.deployId } : {}),
  };
  return {
    AutoScalingGroupName: spec.groupName,
    LaunchTemplate: {
      ...(spec.launchTemplate.id ? { LaunchTemplateId: spec.launchTemplate.id } : {}),
      ...(spec.launchTemplate.name && !spec.launchTemplate.id
        ? { LaunchTemplateName: spec.launchTemplate.name }
        : {}),
      Version: spec.launchTemplate.version,
    },
    MinSize: spec.minSize ?? spec.desiredCapacity,
    MaxSize: spec.maxSize ?? spec.desiredCapacity,
    DesiredCapacity: spec.desiredCapacity,
    ...groupHealthCheck(settings),
    ...instanceMaintenancePolicy(settings),
    ...(spec.loadBalancerNames?.length ? { LoadBalancerNames: [...spec.loadBalancerNames] } : {}),
    ...(spec.targetGroupArns?.length ? { TargetGroupARNs: [...spec.targetGroupArns] } : {}),
    ...(spec.vpcZoneIdentifier ? { VPCZoneIdentifier: spec.vpcZoneIdentifier } : {}),
    ...(spec.availabilityZones?.length ? { AvailabilityZones: [...spec.availabilityZones] } : {}),
    LifecycleHookSpecificationList: [launchHookSpecification(settings)],
    Tags: [
      ...Object.entries(tags).map(([Key, Value]) => tag(spec.groupName, Key, Value, true)),
      // Read from the group by the gate; its instances need not carry it.
      ...Object.entries(groupTags).map(([Key, Value]) => tag(spec.groupName, Key, Value, false)),
    ],
  };
}

function tag(groupName: string, Key: string, Value: string, PropagateAtLaunch: boolean) {
  return { Key, Value, PropagateAtLaunch, ResourceId: groupName, ResourceType: 'auto-scaling-group' };
}
