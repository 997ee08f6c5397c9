/**
 * A new group that matches the serving one: its subnets or zones, load balancers and target groups, tags, health
 * check and launching hook, read from the serving group rather than from settings in code, so a deploy of any
 * gated group makes a group like it: pure.
 */

import type { GroupDescription, LifecycleHookDescription } from '../aws';
import { BASELINE_GROUP_TAG } from '../fleet/baseline-group';
import {
  FLEET_SETTINGS,
  type FleetSettings,
  HookDefaultResult,
  LIFECYCLE_TRANSITION_LAUNCHING,
} from '../fleet/settings';
import { DEPLOY_ID_TAG, type NewGroupSpec, VERSION_TAG } from './group-input';

/** Why a serving group cannot be the model of a new one. */
export class ServingGroupError extends Error {
  override readonly name = 'ServingGroupError';
  constructor(
    readonly group: string,
    message: string,
  ) {
    super(`${group}: ${message}`);
  }
}

/** Tags a deploy sets itself, or AWS reserves: never copied. */
const OWN_TAGS = new Set([VERSION_TAG, BASELINE_GROUP_TAG, DEPLOY_ID_TAG]);

/** The new group's shape and the settings it is created with. */
export interface ServingModel {
  spec: Omit<NewGroupSpec, 'groupName' | 'version' | 'launchTemplate' | 'baselineGroupName' | 'deployId'>;
  settings: FleetSettings;
}

/**
 * The new group's shape from the serving group. `capacity` defaults to the serving group's desired capacity.
 *
 * @throws {ServingGroupError} when the serving group has no launching lifecycle hook (the gate would never see
 * the new group's launches) or no capacity to copy.
 * @example
 * const { spec, settings } = modelOnServing(await autoscaling.describeGroup('web-v1'), hooks);
 */
export function modelOnServing(
  group: GroupDescription,
  hooks: readonly LifecycleHookDescription[],
  capacity?: number,
): ServingModel {
  const hook = hooks.find((h) => h.transition === LIFECYCLE_TRANSITION_LAUNCHING);
  if (!hook) {
    throw new ServingGroupError(
      group.name,
      `has no ${LIFECYCLE_TRANSITION_LAUNCHING} lifecycle hook, so its launches are not gated; deploy a gated group (docs/infra-and-operations.md)`,
    );
  }
  const desired = capacity ?? group.desiredCapacity;
  if (desired < 1) {
    throw new ServingGroupError(group.name, 'has a desired capacity of 0: give the new group a capacity');
  }
  const tags = Object.fromEntries(
    Object.entries(group.tags).filter(([key]) => !key.startsWith('aws:') && !OWN_TAGS.has(key)),
  );
  const settings: FleetSettings = {
    ...FLEET_SETTINGS,
    lifecycleHook: {
      name: hook.name,
      transition: LIFECYCLE_TRANSITION_LAUNCHING,
      defaultResult:
        hook.defaultResult === HookDefaultResult.CONTINUE
          ? HookDefaultResult.CONTINUE
          : HookDefaultResult.ABANDON,
      heartbeatTimeoutSeconds:
        hook.heartbeatTimeoutSeconds ?? FLEET_SETTINGS.lifecycleHook.heartbeatTimeoutSeconds,
    },
    groupHealthCheck: {
      type: group.healthCheckType === 'EC2' ? 'EC2' : 'ELB',
      gracePeriodSeconds:
        group.healthCheckGracePeriodSeconds ?? FLEET_SETTINGS.groupHealthCheck.gracePeriodSeconds,
    },
  };
  return {
    spec: {
      desiredCapacity: desired,
      minSize: Math.min(group.minSize, desired),
      maxSize: Math.max(group.maxSize, desired),
      loadBalancerNames: group.loadBalancerNames,
      targetGroupArns: group.targetGroupArns,
      ...(group.vpcZoneIdentifier
        ? { vpcZoneIdentifier: group.vpcZoneIdentifier }
        : { availabilityZones: group.availabilityZones }),
      tags,
    },
    settings,
  };
}

/**
 * The new group's name: the serving group's with its version suffix replaced (`web-v1` serving `v1` → `web-v2`),
 * or the serving name and the version joined when the serving group carries no version.
 */
export function newGroupName(group: GroupDescription, version: string): string {
  const serving = group.tags[VERSION_TAG];
  const base =
    serving && group.name.endsWith(`-${serving}`) ? group.name.slice(0, -serving.length - 1) : group.name;
  return `${base}-${version}`;
}
