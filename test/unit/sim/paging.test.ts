/**
 * The sim's list calls page as AWS's do, seen through the real SDK clients: each operation's default and maximum
 * page size, its continuation token, and the service's own error for an out-of-range size, a token it did not
 * issue, or too many names or ids in one call.
 */
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeScalingActivitiesCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingClient,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParametersByPathCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../../sim';
import { ManualScheduler } from '../../../sim/model/scheduler';

let sim: Sim;
const GROUPS = 120;
const INSTANCES = 60;
const TARGET_GROUPS = 25;
const LOAD_BALANCERS = 5;
const PARAMETERS = 25;

const config = () => ({
  endpoint: sim.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
});

/** The SDK's error name (its code) and message. */
const failure = async (call: Promise<unknown>) => {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as Error | undefined;
  if (!error) throw new Error('expected the call to fail');
  return { name: error.name, message: error.message };
};

beforeAll(async () => {
  sim = await startSim({ seed: 11, scheduler: new ManualScheduler() });
  const m = sim.model;
  m.launchTemplates.create('web', { ImageId: 'ami-1' });
  for (let n = 0; n < GROUPS; n++) {
    m.autoscaling.createGroup({
      name: `g-${String(n).padStart(3, '0')}`,
      minSize: 0,
      maxSize: 100,
      desiredCapacity: n === 0 ? INSTANCES : 0,
      launchTemplate: { name: 'web', version: '$Latest' },
    });
  }
  await m.settle();
  for (let n = 0; n < TARGET_GROUPS; n++) m.loadBalancers.createTargetGroup({ name: `tg-${n}` });
  for (let n = 0; n < LOAD_BALANCERS; n++) {
    m.loadBalancers.createClassic({
      name: `lb-${n}`,
      listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: 8080 }],
    });
  }
  for (let n = 0; n < PARAMETERS; n++) {
    m.parameters.put({ name: `/hg/p-${String(n).padStart(2, '0')}`, value: String(n) });
  }
});

afterAll(async () => {
  await sim.close();
});

describe('Auto Scaling paging', () => {
  const asg = () => new AutoScalingClient(config());

  it('DescribeAutoScalingGroups: 50 by default, at most 100, following NextToken to the end', async () => {
    const sizes: number[] = [];
    const names: string[] = [];
    let token: string | undefined;
    do {
      const out = await asg().send(new DescribeAutoScalingGroupsCommand({ NextToken: token }));
      sizes.push(out.AutoScalingGroups?.length ?? 0);
      names.push(...(out.AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName!));
      token = out.NextToken;
    } while (token);
    expect(sizes).toEqual([50, 50, 20]);
    expect(new Set(names).size).toBe(GROUPS);

    const big = await asg().send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 100 }));
    expect(big.AutoScalingGroups).toHaveLength(100);
    expect(big.NextToken).toBeDefined();
  });

  it('DescribeAutoScalingGroups: MaxRecords outside 1–100 and more names than the page are ValidationErrors', async () => {
    for (const MaxRecords of [0, 101]) {
      expect(await failure(asg().send(new DescribeAutoScalingGroupsCommand({ MaxRecords })))).toMatchObject({
        name: 'ValidationError',
        message: expect.stringContaining(
          `Value '${MaxRecords}' at 'maxRecords' failed to satisfy constraint`,
        ),
      });
    }
    const names = Array.from({ length: 51 }, (_, n) => `g-${String(n).padStart(3, '0')}`);
    expect(
      await failure(asg().send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names }))),
    ).toEqual({
      name: 'ValidationError',
      message: 'The number of group names that may be passed in is limited to 50',
    });
    const raised = await asg().send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names, MaxRecords: 60 }),
    );
    expect(raised.AutoScalingGroups).toHaveLength(51);
  });

  it('a token the service did not issue is InvalidNextToken', async () => {
    expect(
      await failure(asg().send(new DescribeAutoScalingGroupsCommand({ NextToken: 'nope' }))),
    ).toMatchObject({ name: 'InvalidNextToken' });
  });

  it('DescribeAutoScalingInstances: 50 by default and at most; more than 50 ids is refused', async () => {
    const first = await asg().send(new DescribeAutoScalingInstancesCommand({}));
    expect(first.AutoScalingInstances).toHaveLength(50);
    const second = await asg().send(new DescribeAutoScalingInstancesCommand({ NextToken: first.NextToken }));
    expect(second.AutoScalingInstances).toHaveLength(INSTANCES - 50);
    expect(second.NextToken).toBeUndefined();
    const ids = [...first.AutoScalingInstances!, ...second.AutoScalingInstances!].map((i) => i.InstanceId);
    expect(new Set(ids).size).toBe(INSTANCES);

    expect(
      await failure(asg().send(new DescribeAutoScalingInstancesCommand({ MaxRecords: 51 }))),
    ).toMatchObject({ name: 'ValidationError' });
    const tooMany = Array.from({ length: 51 }, (_, n) => `i-${String(n).padStart(17, '0')}`);
    expect(
      await failure(asg().send(new DescribeAutoScalingInstancesCommand({ InstanceIds: tooMany }))),
    ).toMatchObject({ name: 'ValidationError', message: expect.stringContaining("at 'instanceIds'") });
  });

  it('DescribeScalingActivities: 100 by default and at most, newest first across pages', async () => {
    const all = sim.model.autoscaling.activities.filter((a) => a.groupName === 'g-000');
    expect(all.length).toBe(INSTANCES);
    const first = await asg().send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'g-000', MaxRecords: 40 }),
    );
    const second = await asg().send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'g-000', NextToken: first.NextToken }),
    );
    expect(second.NextToken).toBeUndefined();
    expect([...first.Activities!, ...second.Activities!].map((a) => a.ActivityId)).toEqual(
      all.map((a) => a.activityId).reverse(),
    );
    expect(
      await failure(asg().send(new DescribeScalingActivitiesCommand({ MaxRecords: 101 }))),
    ).toMatchObject({ name: 'ValidationError' });
  });
});

describe('EC2 DescribeInstances paging', () => {
  const ec2 = () => new EC2Client(config());

  it('answers everything without MaxResults, pages with it (5–1000), and refuses it beside InstanceIds', async () => {
    const all = await ec2().send(new DescribeInstancesCommand({}));
    expect(all.Reservations).toHaveLength(INSTANCES);
    expect(all.NextToken).toBeUndefined();

    const ids: string[] = [];
    let pages = 0;
    let token: string | undefined;
    do {
      const out = await ec2().send(new DescribeInstancesCommand({ MaxResults: 25, NextToken: token }));
      ids.push(...(out.Reservations ?? []).flatMap((r) => r.Instances!.map((i) => i.InstanceId!)));
      token = out.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(INSTANCES);

    expect(await failure(ec2().send(new DescribeInstancesCommand({ MaxResults: 4 })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'Value ( 4 ) for parameter maxResults is invalid. Expecting a value greater than 5.',
    });
    expect(await failure(ec2().send(new DescribeInstancesCommand({ MaxResults: 1001 })))).toMatchObject({
      name: 'InvalidParameterValue',
    });
    expect(
      await failure(ec2().send(new DescribeInstancesCommand({ InstanceIds: [ids[0]!], MaxResults: 5 }))),
    ).toMatchObject({ name: 'InvalidParameterCombination' });
    expect(await failure(ec2().send(new DescribeInstancesCommand({ NextToken: 'x' })))).toMatchObject({
      name: 'InvalidPaginationToken',
    });
  });
});

describe('load balancer paging', () => {
  it('DescribeTargetGroups: PageSize 1–400 with NextMarker; more than 20 ARNs in one call is refused', async () => {
    const elbv2 = new ElasticLoadBalancingV2Client(config());
    const sizes: number[] = [];
    const arns: string[] = [];
    let marker: string | undefined;
    do {
      const out = await elbv2.send(new DescribeTargetGroupsCommand({ PageSize: 10, Marker: marker }));
      sizes.push(out.TargetGroups?.length ?? 0);
      arns.push(...(out.TargetGroups ?? []).map((t) => t.TargetGroupArn!));
      marker = out.NextMarker;
    } while (marker);
    expect(sizes).toEqual([10, 10, 5]);
    expect(new Set(arns).size).toBe(TARGET_GROUPS);
    expect((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups).toHaveLength(TARGET_GROUPS);

    expect(await failure(elbv2.send(new DescribeTargetGroupsCommand({ PageSize: 401 })))).toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining("at 'pageSize'"),
    });
    expect(
      await failure(elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: arns.slice(0, 21) }))),
    ).toEqual({
      name: 'ValidationError',
      message: "You cannot describe more than '20' target groups at a time",
    });
  });

  it('DescribeLoadBalancers (classic): PageSize 1–400 with NextMarker', async () => {
    const elb = new ElasticLoadBalancingClient(config());
    const first = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 3 }));
    const second = await elb.send(
      new DescribeLoadBalancersCommand({ PageSize: 3, Marker: first.NextMarker }),
    );
    expect(first.LoadBalancerDescriptions).toHaveLength(3);
    expect(second.LoadBalancerDescriptions).toHaveLength(LOAD_BALANCERS - 3);
    expect(second.NextMarker).toBeUndefined();
    expect(await failure(elb.send(new DescribeLoadBalancersCommand({ PageSize: 0 })))).toMatchObject({
      name: 'ValidationError',
    });
  });
});

describe('SSM paging', () => {
  const ssm = () => new SSMClient(config());

  it('GetParametersByPath: 10 by default and at most, following NextToken', async () => {
    const sizes: number[] = [];
    let token: string | undefined;
    do {
      const out = await ssm().send(new GetParametersByPathCommand({ Path: '/hg', NextToken: token }));
      sizes.push(out.Parameters?.length ?? 0);
      token = out.NextToken;
    } while (token);
    expect(sizes).toEqual([10, 10, 5]);
    expect(
      await failure(ssm().send(new GetParametersByPathCommand({ Path: '/hg', MaxResults: 11 }))),
    ).toEqual({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '11' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10",
    });
    expect(
      await failure(ssm().send(new GetParametersByPathCommand({ Path: '/hg', NextToken: 'forged' }))),
    ).toMatchObject({ name: 'InvalidNextToken' });
  });

  it('GetParameters takes 1 to 10 names', async () => {
    const names = Array.from({ length: 11 }, (_, n) => `/hg/p-${String(n).padStart(2, '0')}`);
    expect(await failure(ssm().send(new GetParametersCommand({ Names: names })))).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'names'"),
    });
    const ten = await ssm().send(new GetParametersCommand({ Names: names.slice(0, 10) }));
    expect(ten.Parameters).toHaveLength(10);
  });
});
