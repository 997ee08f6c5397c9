/** The new group's CreateAutoScalingGroup input, from the fleet settings: pure. */
import type { CreateAutoScalingGroupCommandInput } from '@aws-sdk/client-auto-scaling';
import { type FleetSettings, groupHealthCheck, launchHookSpecification } from '../../infra/fleet-settings';

/** The tag every group of a deploy carries with its version. */
export const VERSION_TAG = 'healthgate:version';

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
}

/**
 * The group with the lifecycle hook declared at creation (no instance can launch before the hook exists), the
 * group health check and the load balancers, as infra/fleet-settings.ts defines them.
 *
 * @example
 * await autoscaling.createAutoScalingGroup(createGroupInput(spec, FLEET_SETTINGS));
 */
export function createGroupInput(
  spec: NewGroupSpec,
  settings: FleetSettings,
): CreateAutoScalingGroupCommandInput {
  const tags = { ...spec.tags, [VERSION_TAG]: spec.version };
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
    ...(spec.loadBalancerNames?.length ? { LoadBalancerNames: [...spec.loadBalancerNames] } : {}),
    ...(spec.targetGroupArns?.length ? { TargetGroupARNs: [...spec.targetGroupArns] } : {}),
    ...(spec.vpcZoneIdentifier ? { VPCZoneIdentifier: spec.vpcZoneIdentifier } : {}),
    ...(spec.availabilityZones?.length ? { AvailabilityZones: [...spec.availabilityZones] } : {}),
    LifecycleHookSpecificationList: [launchHookSpecification(settings)],
    Tags: Object.entries(tags).map(([Key, Value]) => ({
      Key,
      Value,
      PropagateAtLaunch: true,
      ResourceId: spec.groupName,
      ResourceType: 'auto-scaling-group',
    })),
  };
}
