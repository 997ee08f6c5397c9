import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateVersionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeInstanceHealthCommand,
  ElasticLoadBalancingClient,
} from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createAutoScalingAdapter,
  createElbAdapter,
  createElbV2Adapter,
  createLaunchTemplateWriter,
  createParameterWriter,
} from '../../../shared/aws';
import {
  type DeployDeps,
  type DeployEvent,
  type DeployRequest,
  DeployRequestError,
  deployBlueGreen,
} from '../../../shared/deploy';
import { FLEET_SETTINGS } from '../../../shared/fleet/settings';
import type { RollbackReport } from '../../../shared/rollback';

const asg = mockClient(AutoScalingClient);
const elb = mockClient(ElasticLoadBalancingClient);
const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);

type Inst = { id: string; state: string };

/** A scripted world: what each group holds, what the LB says, how many launches were abandoned. */
interface World {
  groups: Map<string, Inst[]>;
  lb: Map<string, string>;
  abandons: number;
  verdict: RollbackReport['verdict'];
  /** Called at each sleep: moves the world on. */
  tick: (n: number) => void;
}

let world: World;
let clock: number;
let events: DeployEvent[];
let checks: string[];

const report = (group: string, verdict: RollbackReport['verdict']): RollbackReport => ({
  group,
  checkedAt: new Date(clock).toISOString(),
  verdict,
  reasons: [
    verdict === 'proceed'
      ? { verdict, reason: 'ALL_HEALTHY', detail: 'all good' }
      : verdict === 'rollback'
        ? {
            verdict,
            reason: 'NON_TRANSIENT_FAILURE',
            instanceId: 'i-new1',
            detail: 'failing: migrations:pending',
          }
        : { verdict, reason: 'LAUNCHING', instanceId: 'i-new1', detail: 'lifecycle state Pending:Wait' },
  ],
  versions: {},
  probe: { port: 80, path: '/health' },
  instances: [],
});

function deps(): DeployDeps {
  let ticks = 0;
  return {
    autoscaling: createAutoScalingAdapter(new AutoScalingClient({})),
    elb: createElbAdapter(new ElasticLoadBalancingClient({})),
    elbv2: createElbV2Adapter(new ElasticLoadBalancingV2Client({})),
    launchTemplates: createLaunchTemplateWriter(new EC2Client({})),
    parameters: createParameterWriter(new SSMClient({})),
    rollbackCheck: async (group) => {
      checks.push(group);
      return report(group, world.verdict);
    },
    onEvent: (e) => events.push(e),
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
      world.tick(++ticks);
      // A real turn of the event loop, so a runaway loop still lets the test's timeout fire.
      await new Promise((resolve) => setImmediate(resolve));
      if (ticks > 1000) throw new Error('the driver never stopped');
    },
  };
}

const request = (over: Partial<DeployRequest> = {}): DeployRequest => ({
  groupName: 'web-v2',
  previousGroupName: 'web-v1',
  version: 'v2',
  desiredCapacity: 2,
  launchTemplate: { id: 'lt-0abc', version: '2' },
  loadBalancerNames: ['web'],
  availabilityZones: ['us-east-1a'],
  pollIntervalMs: 1000,
  timeoutMs: 60_000,
  ...over,
});

beforeEach(() => {
  for (const m of [asg, elb, ec2, ssm]) m.reset();
  clock = 1_000_000;
  events = [];
  checks = [];
  world = {
    groups: new Map([
      [
        'web-v1',
        [
          { id: 'i-old1', state: 'InService' },
          { id: 'i-old2', state: 'InService' },
        ],
      ],
    ]),
    lb: new Map([
      ['i-old1', 'InService'],
      ['i-old2', 'InService'],
    ]),
    abandons: 0,
    verdict: 'proceed',
    tick: () => undefined,
  };
  asg.on(CreateAutoScalingGroupCommand).callsFake((input) => {
    world.groups.set(input.AutoScalingGroupName, [
      { id: 'i-new1', state: 'Pending:Wait' },
      { id: 'i-new2', state: 'Pending:Wait' },
    ]);
    return {};
  });
  asg.on(DescribeAutoScalingGroupsCommand).callsFake((input) => {
    const name = input.AutoScalingGroupNames[0];
    const instances = world.groups.get(name);
    if (!instances) return { AutoScalingGroups: [] };
    return {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: name,
          MinSize: 0,
          MaxSize: 2,
          DesiredCapacity: 2,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1a'],
          HealthCheckType: 'ELB',
          CreatedTime: new Date(0),
          LoadBalancerNames: ['web'],
          Instances: instances.map((i) => ({
            InstanceId: i.id,
            LifecycleState: i.state as never,
            HealthStatus: 'Healthy',
            AvailabilityZone: 'us-east-1a',
            ProtectedFromScaleIn: false,
          })),
        },
      ],
    };
  });
  asg.on(DescribeScalingActivitiesCommand).callsFake(() => ({
    Activities: Array.from({ length: world.abandons }, (_, k) => ({
      ActivityId: `a-${k}`,
      AutoScalingGroupName: 'web-v2',
      Cause: 'launch',
      StartTime: new Date(clock),
      StatusCode: 'Cancelled',
      Progress: 100,
      StatusMessage:
        "Instance failed to complete user's Lifecycle Action: Lifecycle Action with token x was abandoned: Lifecycle Action Completed with ABANDON Result",
    })),
  }));
  asg.on(UpdateAutoScalingGroupCommand).callsFake((input) => {
    if (input.DesiredCapacity === 0) world.groups.set(input.AutoScalingGroupName, []);
    return {};
  });
  asg.on(DeleteAutoScalingGroupCommand).callsFake((input) => {
    world.groups.delete(input.AutoScalingGroupName);
    return {};
  });
  elb.on(DescribeInstanceHealthCommand).callsFake((input) => ({
    InstanceStates: (input.Instances ?? []).map((i: { InstanceId: string }) => ({
      InstanceId: i.InstanceId,
      State: world.lb.get(i.InstanceId) ?? 'OutOfService',
    })),
  }));
});

const updatedGroups = () =>
  asg.commandCalls(UpdateAutoScalingGroupCommand).map((c) => c.args[0].input.AutoScalingGroupName);

const setNew = (state: string) =>
  world.groups.set('web-v2', [
    { id: 'i-new1', state },
    { id: 'i-new2', state },
  ]);

describe('deployBlueGreen', () => {
  it('creates the group from the fleet settings, waits for the gate, LB capacity and proceed, then retires the old group', async () => {
    world.tick = (n) => {
      if (n === 1) setNew('InService');
      if (n === 2) {
        world.lb.set('i-new1', 'InService');
        world.lb.set('i-new2', 'InService');
      }
    };
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    const result = await deployBlueGreen(
      request({ policy: { healthyThreshold: 2, maxAbandonsPerVersion: 2 } }),
      deps(),
    );

    expect(result).toMatchObject({
      outcome: 'deployed',
      group: 'web-v2',
      previousGroup: 'web-v1',
      abandons: 0,
    });
    const create = asg.commandCalls(CreateAutoScalingGroupCommand)[0]!.args[0].input;
    expect(create).toMatchObject({
      AutoScalingGroupName: 'web-v2',
      LaunchTemplate: { LaunchTemplateId: 'lt-0abc', Version: '2' },
      MinSize: 2,
      MaxSize: 2,
      DesiredCapacity: 2,
      HealthCheckType: FLEET_SETTINGS.groupHealthCheck.type,
      HealthCheckGracePeriod: FLEET_SETTINGS.groupHealthCheck.gracePeriodSeconds,
      LoadBalancerNames: ['web'],
      LifecycleHookSpecificationList: [
        {
          LifecycleHookName: FLEET_SETTINGS.lifecycleHook.name,
          LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
          DefaultResult: 'ABANDON',
          HeartbeatTimeout: FLEET_SETTINGS.lifecycleHook.heartbeatTimeoutSeconds,
        },
      ],
    });
    expect(create.Tags).toContainEqual(expect.objectContaining({ Key: 'healthgate:version', Value: 'v2' }));
    // The serving group is the gate's baseline while the new group has no in-service instance; only the group
    // carries the tag.
    expect(create.Tags?.filter((t) => t.Key === 'healthgate:baseline-group')).toEqual([
      {
        Key: 'healthgate:baseline-group',
        Value: 'web-v1',
        PropagateAtLaunch: false,
        ResourceId: 'web-v2',
        ResourceType: 'auto-scaling-group',
      },
    ]);
    expect(ssm.commandCalls(PutParameterCommand)[0]!.args[0].input).toEqual({
      Name: '/healthgate/web-v2/policy',
      Value: JSON.stringify({ healthyThreshold: 2, maxAbandonsPerVersion: 2 }),
      Type: 'String',
      Overwrite: false,
    });
    // The check runs only once the LB counts every instance healthy.
    expect(checks).toEqual(['web-v2']);
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'web-v1',
      MinSize: 0,
      MaxSize: 0,
      DesiredCapacity: 0,
    });
    const deleted = asg.commandCalls(DeleteAutoScalingGroupCommand).map((c) => c.args[0].input);
    expect(deleted).toEqual([{ AutoScalingGroupName: 'web-v1', ForceDelete: true }]);
    expect(events.map((e) => e.type)).toEqual([
      'deploy-started',
      'policy-stored',
      'group-created',
      'instance-state',
      'instance-state',
      'capacity',
      'instance-state',
      'instance-state',
      'capacity',
      'capacity',
      'verdict',
      'retiring',
      'group-deleted',
      'deploy-finished',
    ]);
  });

  it('opens the circuit after maxAbandons abandons, deletes the new group and never touches the old one', async () => {
    world.tick = (n) => {
      world.abandons = n;
    };
    const result = await deployBlueGreen(request({ maxAbandons: 3 }), deps());
    expect(result).toMatchObject({ outcome: 'rolled-back', failure: 'CIRCUIT_BREAKER', abandons: 3 });
    expect(result.detail).toMatch(/3 launch\(es\) abandoned/);
    expect(asg.commandCalls(DeleteAutoScalingGroupCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'web-v2', ForceDelete: true },
    ]);
    expect(updatedGroups()).not.toContain('web-v1');
    expect(world.groups.get('web-v1')).toHaveLength(2);
    // The new group's rollback check is recorded before it is removed.
    expect(checks).toEqual(['web-v2']);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'launch-abandoned')).toHaveLength(3);
    expect(types.slice(-4)).toEqual(['verdict', 'retiring', 'group-deleted', 'deploy-finished']);
    // Scaled to zero before it is deleted, so no replacement launches meanwhile.
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'web-v2', MinSize: 0, MaxSize: 0, DesiredCapacity: 0 },
    ]);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'circuit-open', abandons: 3, maxAbandons: 3 }),
    );
  });

  it('after the circuit opens, waits (bounded) for a held verdict to settle before removing the group', async () => {
    world.verdict = 'hold';
    let opened = 0;
    world.tick = (n) => {
      world.abandons = Math.min(n, 3);
      // The replacement answers two polls after the circuit opened: its failure is then visible.
      if (world.abandons === 3 && ++opened > 2) world.verdict = 'rollback';
    };
    const result = await deployBlueGreen(request({ maxAbandons: 3 }), deps());
    expect(result).toMatchObject({ outcome: 'rolled-back', failure: 'CIRCUIT_BREAKER' });
    expect(result.report?.verdict).toBe('rollback');
    expect(checks.length).toBeGreaterThan(1);
    const verdicts = events.flatMap((e) => (e.type === 'verdict' ? [e.verdict] : []));
    expect(verdicts).toEqual(['hold', 'rollback']);
  });

  it('gives up waiting for a held verdict after verdictSettleMs and still removes the group', async () => {
    world.verdict = 'hold';
    world.tick = (n) => {
      world.abandons = n;
    };
    const result = await deployBlueGreen(
      request({ maxAbandons: 1, verdictSettleMs: 10_000, pollIntervalMs: 1_000 }),
      deps(),
    );
    expect(result).toMatchObject({ outcome: 'rolled-back', failure: 'CIRCUIT_BREAKER' });
    expect(result.report?.verdict).toBe('hold');
    expect(checks.length).toBeLessThanOrEqual(11);
    expect(asg.commandCalls(DeleteAutoScalingGroupCommand)).toHaveLength(1);
  });

  it('tags no baseline group on a first deploy (no serving group)', async () => {
    world.tick = (n) => {
      if (n === 1) setNew('InService');
      if (n === 2) {
        world.lb.set('i-new1', 'InService');
        world.lb.set('i-new2', 'InService');
      }
    };
    const { previousGroupName: _none, ...first } = request();
    const result = await deployBlueGreen(first, deps());
    expect(result.outcome).toBe('deployed');
    const create = asg.commandCalls(CreateAutoScalingGroupCommand)[0]!.args[0].input;
    expect(create.Tags?.map((t) => [t.Key, t.PropagateAtLaunch])).toEqual([
      ['healthgate:version', true],
      ['healthgate:deploy-id', false],
    ]);
  });

  it('stops waiting for a held verdict once maxAbandons more replacements are abandoned meanwhile', async () => {
    world.verdict = 'hold';
    world.tick = (n) => {
      world.abandons = n;
    };
    const result = await deployBlueGreen(
      request({ maxAbandons: 2, verdictSettleMs: 60_000, pollIntervalMs: 1_000 }),
      deps(),
    );
    expect(result).toMatchObject({ outcome: 'rolled-back', failure: 'CIRCUIT_BREAKER', abandons: 2 });
    expect(result.report?.verdict).toBe('hold');
    // Opened at 2 abandons, stopped waiting at 4, not after the 60 s of verdictSettleMs.
    expect(world.abandons).toBe(4);
    expect(asg.commandCalls(DeleteAutoScalingGroupCommand)).toHaveLength(1);
  });

  it('takes maxAbandons from the policy when the request names none', async () => {
    world.tick = (n) => {
      world.abandons = n;
    };
    const result = await deployBlueGreen(request({ policy: { maxAbandonsPerVersion: 1 } }), deps());
    expect(result).toMatchObject({ failure: 'CIRCUIT_BREAKER', abandons: 1 });
  });

  it('rolls back on a rollback verdict at capacity', async () => {
    setNew('InService');
    world.lb.set('i-new1', 'InService');
    world.lb.set('i-new2', 'InService');
    world.verdict = 'rollback';
    asg.on(CreateAutoScalingGroupCommand).resolves({});
    const result = await deployBlueGreen(request(), deps());
    expect(result).toMatchObject({ outcome: 'rolled-back', failure: 'VERDICT_ROLLBACK' });
    expect(result.detail).toMatch(/NON_TRANSIENT_FAILURE i-new1/);
    expect(result.report?.verdict).toBe('rollback');
    expect(
      asg.commandCalls(DeleteAutoScalingGroupCommand).map((c) => c.args[0].input.AutoScalingGroupName),
    ).toEqual(['web-v2']);
  });

  it('keeps waiting on hold and times out without touching the old group', async () => {
    setNew('InService');
    world.lb.set('i-new1', 'InService');
    world.lb.set('i-new2', 'InService');
    world.verdict = 'hold';
    asg.on(CreateAutoScalingGroupCommand).resolves({});
    const result = await deployBlueGreen(request({ timeoutMs: 10_000 }), deps());
    expect(result).toMatchObject({ outcome: 'rolled-back', failure: 'TIMEOUT' });
    expect(checks.length).toBeGreaterThan(5);
    // One verdict event however often the same hold is seen.
    expect(events.filter((e) => e.type === 'verdict')).toHaveLength(1);
    expect(updatedGroups()).not.toContain('web-v1');
  });

  it('fails closed when the group cannot be created, leaving the old group serving', async () => {
    asg
      .on(CreateAutoScalingGroupCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }),
      );
    const result = await deployBlueGreen(request(), deps());
    expect(result).toMatchObject({ outcome: 'rolled-back', failure: 'AWS_ERROR' });
    expect(result.detail).toMatch(/could not create web-v2: .*Throttling/);
    expect(updatedGroups()).not.toContain('web-v1');
    expect(world.groups.get('web-v1')).toHaveLength(2);
  });

  it('never removes a group of the same name that it did not make (its deploy-id tag differs)', async () => {
    world.groups.set('web-v2', [{ id: 'i-theirs', state: 'InService' }]);
    asg.on(CreateAutoScalingGroupCommand).rejects(
      Object.assign(new Error('AutoScalingGroup by this name already exists'), {
        name: 'AlreadyExists',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const result = await deployBlueGreen(request(), deps());
    expect(result).toMatchObject({ outcome: 'rolled-back', failure: 'AWS_ERROR' });
    expect(updatedGroups()).toEqual([]);
    expect(asg.commandCalls(DeleteAutoScalingGroupCommand)).toHaveLength(0);
    expect(events.map((e) => e.type)).toContain('not-ours');
  });

  it('a failed deploy removes the launch template version and the policy it made, after its group', async () => {
    world.abandons = 2;
    ec2.on(CreateLaunchTemplateVersionCommand).resolves({
      LaunchTemplateVersion: { LaunchTemplateId: 'lt-0abc', VersionNumber: 7 },
    });
    ec2.on(DeleteLaunchTemplateVersionsCommand).resolves({});
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    ssm.on(DeleteParameterCommand).resolves({});
    const result = await deployBlueGreen(
      request({
        launchTemplate: { id: 'lt-0abc' },
        newTemplateVersion: { sourceVersion: '1', data: { ImageId: 'ami-v2' } },
        policy: { maxAbandonsPerVersion: 2 },
        verdictSettleMs: 0,
      }),
      deps(),
    );
    expect(result).toMatchObject({ outcome: 'rolled-back', failure: 'CIRCUIT_BREAKER' });
    expect(ec2.commandCalls(DeleteLaunchTemplateVersionsCommand)[0]!.args[0].input).toEqual({
      LaunchTemplateId: 'lt-0abc',
      Versions: ['7'],
    });
    expect(ssm.commandCalls(DeleteParameterCommand)[0]!.args[0].input).toEqual({
      Name: '/healthgate/web-v2/policy',
    });
    const order = events.map((e) => e.type);
    expect(order.indexOf('group-deleted')).toBeLessThan(order.indexOf('set-up-removed'));
    expect(world.groups.get('web-v1')).toHaveLength(2);
  });

  it('creates a launch template version first when asked and launches from it', async () => {
    world.tick = (n) => {
      if (n === 1) {
        setNew('InService');
        world.lb.set('i-new1', 'InService');
        world.lb.set('i-new2', 'InService');
      }
    };
    ec2.on(CreateLaunchTemplateVersionCommand).resolves({
      LaunchTemplateVersion: { LaunchTemplateId: 'lt-0abc', VersionNumber: 7 },
    });
    const result = await deployBlueGreen(
      request({
        previousGroupName: undefined,
        launchTemplate: { id: 'lt-0abc' },
        newTemplateVersion: { sourceVersion: '1', data: { ImageId: 'ami-v2' } },
      }),
      deps(),
    );
    expect(result.outcome).toBe('deployed');
    expect(ec2.commandCalls(CreateLaunchTemplateVersionCommand)[0]!.args[0].input).toEqual({
      LaunchTemplateId: 'lt-0abc',
      SourceVersion: '1',
      LaunchTemplateData: { ImageId: 'ami-v2' },
    });
    expect(asg.commandCalls(CreateAutoScalingGroupCommand)[0]!.args[0].input.LaunchTemplate).toEqual({
      LaunchTemplateId: 'lt-0abc',
      Version: '7',
    });
    expect(asg.commandCalls(DeleteAutoScalingGroupCommand)).toHaveLength(0);
  });

  it('launches a canary alone, scales out once it is InService and LB-healthy, then judges the whole group', async () => {
    asg.on(CreateAutoScalingGroupCommand).callsFake((input) => {
      world.groups.set(input.AutoScalingGroupName, [{ id: 'i-new1', state: 'Pending:Wait' }]);
      return {};
    });
    asg.on(UpdateAutoScalingGroupCommand).callsFake((input) => {
      if (input.AutoScalingGroupName === 'web-v2' && input.DesiredCapacity === 2) {
        world.groups.get('web-v2')!.push({ id: 'i-new2', state: 'Pending:Wait' });
      }
      if (input.DesiredCapacity === 0) world.groups.set(input.AutoScalingGroupName, []);
      return {};
    });
    world.tick = (n) => {
      const [canary, second] = world.groups.get('web-v2') ?? [];
      if (n === 1 && canary) {
        canary.state = 'InService';
        world.lb.set('i-new1', 'InService');
      }
      if (n === 3 && second) {
        second.state = 'InService';
        world.lb.set('i-new2', 'InService');
      }
    };
    const result = await deployBlueGreen(request({ canary: 1 }), deps());
    expect(result.outcome).toBe('deployed');
    expect(asg.commandCalls(CreateAutoScalingGroupCommand)[0]!.args[0].input).toMatchObject({
      MinSize: 1,
      MaxSize: 2,
      DesiredCapacity: 1,
    });
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'web-v2', MinSize: 2, DesiredCapacity: 2 },
      { AutoScalingGroupName: 'web-v1', MinSize: 0, MaxSize: 0, DesiredCapacity: 0 },
    ]);
    // The rollback check judges the whole group, never the canary alone.
    expect(checks).toEqual(['web-v2']);
    expect(events.filter((e) => e.type === 'scaling-out')).toEqual([
      expect.objectContaining({ group: 'web-v2', from: 1, to: 2 }),
    ]);
  });

  it('refuses an unusable request before any call', async () => {
    await expect(deployBlueGreen(request({ previousGroupName: 'web-v2' }), deps())).rejects.toThrow(
      DeployRequestError,
    );
    await expect(deployBlueGreen(request({ desiredCapacity: 0 }), deps())).rejects.toThrow(/desiredCapacity/);
    await expect(
      deployBlueGreen(request({ policy: {} }), { ...deps(), parameters: undefined }),
    ).rejects.toThrow(/policy/);
    expect(asg.calls()).toHaveLength(0);
  });
});
