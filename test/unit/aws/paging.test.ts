/**
 * Every list call the adapters make reads to the last page, against the sim's real wire protocols (reached as
 * production reaches it: `AWS_ENDPOINT_URL`), where each operation pages at AWS's documented sizes.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAutoScalingAdapter } from '../../../shared/aws/autoscaling';
import { createEc2Adapter } from '../../../shared/aws/ec2';
import { createElbAdapter } from '../../../shared/aws/elb';
import { createElbV2Adapter } from '../../../shared/aws/elbv2';
import { createSsmAdapter } from '../../../shared/aws/ssm';
import { type Sim, startSim } from '../../../sim';
import { ManualScheduler } from '../../../sim/model/scheduler';

let sim: Sim;
const calls = (action: string) => sim.requests.entries({ action }).length;

beforeAll(async () => {
  sim = await startSim({ seed: 21, scheduler: new ManualScheduler() });
  vi.stubEnv('AWS_ENDPOINT_URL', sim.endpoint);
  const m = sim.model;
  m.launchTemplates.create('web', { ImageId: 'ami-1' });
  const group = (name: string, desiredCapacity: number) =>
    m.autoscaling.createGroup({
      name,
      minSize: 0,
      maxSize: 100,
      desiredCapacity,
      launchTemplate: { name: 'web', version: '$Latest' },
    });
  // 160 activities: 80 launches, then 80 terminations.
  group('busy', 80);
  await m.settle();
  m.autoscaling.setDesiredCapacity('busy', 0);
  await m.settle();
  group('fleet', 60);
  for (let n = 0; n < 60; n++) group(`other-${String(n).padStart(2, '0')}`, 0);
  await m.settle();
  for (let n = 0; n < 25; n++) m.loadBalancers.createTargetGroup({ name: `tg-${n}` });
  for (let n = 0; n < 3; n++) {
    m.loadBalancers.createClassic({
      name: `lb-${n}`,
      listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: 8080 }],
    });
  }
  for (let n = 0; n < 25; n++) {
    m.parameters.put({ name: `/hg/app/key-${String(n).padStart(2, '0')}`, value: `v${n}` });
  }
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await sim.close();
});

describe('Auto Scaling adapter', () => {
  it('describeScalingActivities follows NextToken across pages up to its limit, newest first', async () => {
    const expected = sim.model.autoscaling.activities
      .filter((a) => a.groupName === 'busy')
      .map((a) => a.activityId)
      .reverse();
    expect(expected).toHaveLength(160);
    const before = calls('DescribeScalingActivities');
    const activities = await createAutoScalingAdapter().describeScalingActivities('busy', { limit: 150 });
    expect(activities.map((a) => a.activityId)).toEqual(expected.slice(0, 150));
    expect(calls('DescribeScalingActivities') - before).toBe(2);
    const all = await createAutoScalingAdapter().describeScalingActivities('busy', { limit: 1000 });
    expect(all).toHaveLength(160);
  });

  it('describeInstances asks 50 ids per call and reads every page', async () => {
    const ids = sim.model.autoscaling.groupInstances('fleet').map((i) => i.instanceId);
    expect(ids).toHaveLength(60);
    const before = calls('DescribeAutoScalingInstances');
    const listed = await createAutoScalingAdapter().describeInstances([...ids, 'i-00000000000000000']);
    expect(listed.map((i) => i.instanceId).sort()).toEqual([...ids].sort());
    expect(listed.every((i) => i.groupName === 'fleet' && i.lifecycleState === 'InService')).toBe(true);
    expect(calls('DescribeAutoScalingInstances') - before).toBe(2);
  });

  it('describeGroup finds one group among more than a page of groups', async () => {
    const group = await createAutoScalingAdapter().describeGroup('other-59');
    expect(group.name).toBe('other-59');
    const fleet = await createAutoScalingAdapter().describeGroup('fleet');
    expect(fleet.instances).toHaveLength(60);
  });
});

describe('load balancer adapters', () => {
  it('describeTargetGroups asks at most 20 ARNs per call, so 25 attached target groups are all read', async () => {
    const arns = [...sim.model.loadBalancers.targetGroups.values()].map((t) => t.arn);
    expect(arns).toHaveLength(25);
    const before = calls('DescribeTargetGroups');
    const groups = await createElbV2Adapter().describeTargetGroups(arns);
    expect(groups.map((g) => g.arn).sort()).toEqual([...arns].sort());
    expect(calls('DescribeTargetGroups') - before).toBe(2);
  });

  it('describeHealthCheck reads a classic load balancer among several', async () => {
    await expect(createElbAdapter().describeHealthCheck('lb-2')).resolves.toMatchObject({
      target: 'TCP:8080',
      port: 8080,
    });
  });
});

describe('EC2 and SSM adapters', () => {
  it('describeInstance finds one instance of many', async () => {
    const [first] = sim.model.autoscaling.groupInstances('fleet');
    await expect(createEc2Adapter().describeInstance(first!.instanceId)).resolves.toMatchObject({
      instanceId: first!.instanceId,
      groupName: 'fleet',
      state: 'running',
    });
  });

  it('getParametersByPath follows NextToken through pages of 10', async () => {
    const before = calls('GetParametersByPath');
    const parameters = await createSsmAdapter().getParametersByPath('/hg', { recursive: true });
    expect(parameters).toHaveLength(25);
    expect(new Set(parameters.map((p) => p.name)).size).toBe(25);
    expect(calls('GetParametersByPath') - before).toBe(3);
  });
});
