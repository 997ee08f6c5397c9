import { describe, expect, it } from 'vitest';
import type { GroupDescription } from '../../../shared/aws';
import { modelOnServing, newGroupName, ServingGroupError } from '../../../shared/deploy';
import { FLEET_SETTINGS } from '../../../shared/fleet/settings';

const serving = (over: Partial<GroupDescription> = {}): GroupDescription => ({
  name: 'web-v1',
  minSize: 2,
  maxSize: 6,
  desiredCapacity: 3,
  healthCheckType: 'ELB',
  healthCheckGracePeriodSeconds: 120,
  launchTemplate: { id: 'lt-0abc', version: '4' },
  loadBalancerNames: ['web'],
  targetGroupArns: ['arn:tg/web'],
  vpcZoneIdentifier: 'subnet-a,subnet-b',
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  tags: {
    team: 'payments',
    'aws:cloudformation:stack-name': 'fleet',
    'healthgate:version': 'v1',
    'healthgate:baseline-group': 'web-v0',
    'healthgate:deploy-id': 'old',
  },
  instances: [],
  ...over,
});
const HOOK = {
  name: 'gate',
  groupName: 'web-v1',
  transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
  heartbeatTimeoutSeconds: 600,
  defaultResult: 'ABANDON',
};

describe('a new group modelled on the serving one', () => {
  it('takes its subnets, load balancers, target groups, user tags, health check and launching hook', () => {
    const { spec, settings } = modelOnServing(serving(), [HOOK]);
    expect(spec).toEqual({
      desiredCapacity: 3,
      minSize: 2,
      maxSize: 6,
      loadBalancerNames: ['web'],
      targetGroupArns: ['arn:tg/web'],
      vpcZoneIdentifier: 'subnet-a,subnet-b',
      tags: { team: 'payments' },
    });
    expect(settings.lifecycleHook).toEqual({
      name: 'gate',
      transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      defaultResult: 'ABANDON',
      heartbeatTimeoutSeconds: 600,
    });
    expect(settings.groupHealthCheck).toEqual({ type: 'ELB', gracePeriodSeconds: 120 });
    expect(settings.loadBalancerHealthCheck).toEqual(FLEET_SETTINGS.loadBalancerHealthCheck);
  });

  it('uses zones where there are no subnets, and stretches min/max to a larger capacity', () => {
    const { spec } = modelOnServing(serving({ vpcZoneIdentifier: undefined }), [HOOK], 10);
    expect(spec).toMatchObject({
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      desiredCapacity: 10,
      minSize: 2,
      maxSize: 10,
    });
    expect(spec).not.toHaveProperty('vpcZoneIdentifier');
  });

  it('refuses a serving group the gate does not hold (no launching hook), or with nothing to copy', () => {
    expect(() => modelOnServing(serving(), [])).toThrow(ServingGroupError);
    expect(() =>
      modelOnServing(serving(), [{ ...HOOK, transition: 'autoscaling:EC2_INSTANCE_TERMINATING' }]),
    ).toThrow(/no autoscaling:EC2_INSTANCE_LAUNCHING lifecycle hook/);
    expect(() => modelOnServing(serving({ desiredCapacity: 0 }), [HOOK])).toThrow(/desired capacity of 0/);
  });

  it('is named after the serving group with its version suffix replaced', () => {
    expect(newGroupName(serving(), 'v2')).toBe('web-v2');
    expect(newGroupName(serving({ name: 'web', tags: {} }), 'v2')).toBe('web-v2');
    expect(newGroupName(serving({ name: 'web-blue', tags: { 'healthgate:version': 'v1' } }), 'v2')).toBe(
      'web-blue-v2',
    );
  });
});
