import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  type Instance as GroupInstance,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeInstanceHealthCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingClient,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupNotFoundError, HealthTokenMissingError, PolicyInvalidError } from '../../../shared/aws';
import type { FunctionConfig } from '../../../shared/config';
import { createRollbackCheck, inspectGroup, type RollbackCheckOptions } from '../../../shared/rollback';
import { type Fleet, startFleet } from './fleet';

const asMock = mockClient(AutoScalingClient);
const ec2Mock = mockClient(EC2Client);
const elbMock = mockClient(ElasticLoadBalancingClient);
const elbv2Mock = mockClient(ElasticLoadBalancingV2Client);
const ssmMock = mockClient(SSMClient);

const GROUP = 'web-green';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef';
const CLB = 'web-classic';
const TOKEN = 'secret-health-token';
const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3'] as const;

const config: FunctionConfig = {
  policyPrefix: '/healthgate',
  policyCacheSeconds: 0,
  secretCacheSeconds: 0,
  probeCidrs: ['127.0.0.0/8'],
  healthTokenParameter: '/healthgate/health-token',
  healthTokenHeader: 'x-health-token',
};

let fleet: Fleet;
const fetchSpy = vi.fn<typeof fetch>((input, init) => fetch(input, init));

beforeAll(async () => {
  fleet = await startFleet(ADDRESSES);
});
afterAll(async () => {
  await fleet.close();
});

interface Member {
  id: string;
  ip?: string;
  state?: string;
  health?: string;
}

/** Mocks the group's AWS answers: Auto Scaling, EC2 (private IPs), both LB kinds, and SSM (policy, token). */
function mockGroup(members: Member[], options: { tgState?: Record<string, string> } = {}) {
  asMock.on(DescribeLifecycleHooksCommand).resolves({ LifecycleHooks: [] });
  asMock.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: GROUP,
        MinSize: 1,
        MaxSize: 6,
        DesiredCapacity: members.length,
        DefaultCooldown: 300,
        AvailabilityZones: ['us-east-1a'],
        HealthCheckType: 'ELB',
        CreatedTime: new Date(0),
        LoadBalancerNames: [CLB],
        TargetGroupARNs: [TG],
        Instances: members.map(
          (m): GroupInstance => ({
            InstanceId: m.id,
            LifecycleState: (m.state ?? 'InService') as GroupInstance['LifecycleState'],
            HealthStatus: m.health ?? 'Healthy',
            AvailabilityZone: 'us-east-1a',
            LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '7' },
            ProtectedFromScaleIn: false,
          }),
        ),
      },
    ],
  });
  for (const m of members) {
    ec2Mock.on(DescribeInstancesCommand, { InstanceIds: [m.id] }).resolves({
      Reservations: [
        { Instances: [{ InstanceId: m.id, PrivateIpAddress: m.ip, State: { Name: 'running', Code: 16 } }] },
      ],
    });
  }
  // The load balancers' own checks: the classic one lends the probe its port and path (the policy sets neither).
  elbMock.on(DescribeLoadBalancersCommand).resolves({
    LoadBalancerDescriptions: [
      {
        LoadBalancerName: CLB,
        HealthCheck: {
          Target: `HTTP:${fleet.port}/health/deep`,
          Interval: 10,
          Timeout: 2,
          HealthyThreshold: 3,
          UnhealthyThreshold: 2,
        },
      },
    ],
  });
  elbv2Mock.on(DescribeTargetGroupsCommand).resolves({
    TargetGroups: [
      {
        TargetGroupArn: TG,
        Protocol: 'HTTP',
        Port: fleet.port,
        HealthCheckEnabled: true,
        HealthCheckProtocol: 'HTTP',
        HealthCheckPort: 'traffic-port',
        HealthCheckPath: '/health/deep',
      },
    ],
  });
  elbMock.on(DescribeInstanceHealthCommand).resolves({
    InstanceStates: members.map((m) => ({ InstanceId: m.id, State: 'InService', ReasonCode: 'N/A' })),
  });
  elbv2Mock.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: members.map((m) => ({
      Target: { Id: m.id, Port: fleet.port },
      TargetHealth: { State: (options.tgState?.[m.id] ?? 'healthy') as 'healthy' },
    })),
  });
  ssmMock
    .on(GetParameterCommand, { Name: `/healthgate/${GROUP}/policy` })
    .resolves({ Parameter: { Value: JSON.stringify({ timeoutSeconds: 1.5 }) } })
    .on(GetParameterCommand, { Name: '/healthgate/health-token' })
    .resolves({ Parameter: { Value: TOKEN } });
}

function check(overrides: Partial<RollbackCheckOptions> = {}) {
  return createRollbackCheck({ config, fetch: fetchSpy, now: () => Date.UTC(2026, 0, 1), ...overrides });
}

const pass = { status: 'pass' as const, version: '2.0.0' };

beforeEach(() => {
  for (const m of [asMock, ec2Mock, elbMock, elbv2Mock, ssmMock]) m.reset();
  fleet.requests.length = 0;
  fetchSpy.mockClear();
});

describe('inspectGroup through createRollbackCheck', () => {
  it('proceeds when every instance is InService, healthy on both LBs and passes /health', async () => {
    mockGroup([
      { id: 'i-a', ip: '127.0.0.1' },
      { id: 'i-b', ip: '127.0.0.2' },
    ]);
    fleet.answer('127.0.0.1', 'i-a', pass);
    fleet.answer('127.0.0.2', 'i-b', pass);

    const report = await check()(GROUP);

    expect(report.verdict).toBe('proceed');
    expect(report.reasons.map((r) => r.reason)).toEqual(['ALL_HEALTHY']);
    expect(report.versions).toEqual({ '2.0.0': 2 });
    expect(report.checkedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(report.probe).toEqual({ port: fleet.port, path: '/health/deep' });
    expect(report.instances.map((i) => [i.instanceId, i.privateIp, i.health?.outcome, i.lb.length])).toEqual([
      ['i-a', '127.0.0.1', 'pass', 2],
      ['i-b', '127.0.0.2', 'pass', 2],
    ]);
    expect(report.instances[0]?.launchTemplateVersion).toBe('7');

    // The exact AWS calls.
    expect(asMock.commandCalls(DescribeAutoScalingGroupsCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupNames: [GROUP] },
    ]);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceIds: ['i-a'] },
      { InstanceIds: ['i-b'] },
    ]);
    expect(elbMock.commandCalls(DescribeLoadBalancersCommand).map((c) => c.args[0].input)).toEqual([
      { LoadBalancerNames: [CLB] },
    ]);
    expect(elbv2Mock.commandCalls(DescribeTargetGroupsCommand).map((c) => c.args[0].input)).toEqual([
      { TargetGroupArns: [TG] },
    ]);
    expect(elbMock.commandCalls(DescribeInstanceHealthCommand).map((c) => c.args[0].input)).toEqual([
      { LoadBalancerName: CLB, Instances: [{ InstanceId: 'i-a' }, { InstanceId: 'i-b' }] },
    ]);
    expect(elbv2Mock.commandCalls(DescribeTargetHealthCommand).map((c) => c.args[0].input)).toEqual([
      { TargetGroupArn: TG },
    ]);
    expect(ssmMock.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual(
      expect.arrayContaining([
        { Name: '/healthgate/health-token', WithDecryption: true },
        { Name: `/healthgate/${GROUP}/policy`, WithDecryption: true },
      ]),
    );

    // Real requests reached the instances, on the load balancer's port and path, with the token.
    expect(fleet.requests.map((r) => [r.address, r.url]).sort()).toEqual([
      ['127.0.0.1', '/health/deep'],
      ['127.0.0.2', '/health/deep'],
    ]);
    for (const r of fleet.requests) expect(r.headers['x-health-token']).toBe(TOKEN);
  });

  it('rolls back when an InService instance reports a non-transient failure', async () => {
    mockGroup([
      { id: 'i-a', ip: '127.0.0.1' },
      { id: 'i-b', ip: '127.0.0.2' },
    ]);
    fleet.answer('127.0.0.1', 'i-a', pass);
    fleet.answer('127.0.0.2', 'i-b', {
      status: 'fail',
      version: '2.0.0',
      checks: {
        'migrations:applied': { status: 'fail', transient: false, componentType: 'datastore' },
        'database:responseTime': { status: 'pass' },
      },
    });

    const report = await check()(GROUP);

    expect(report.verdict).toBe('rollback');
    expect(report.reasons[0]).toEqual({
      verdict: 'rollback',
      reason: 'NON_TRANSIENT_FAILURE',
      instanceId: 'i-b',
      detail: 'failing: migrations:applied',
    });
    const b = report.instances.find((i) => i.instanceId === 'i-b');
    expect(b?.health).toEqual({
      outcome: 'fail',
      httpStatus: 503,
      failingChecks: [{ name: 'migrations:applied', transient: false }],
    });
  });

  it('holds while an instance is in Pending:Wait, and still probes it', async () => {
    mockGroup([
      { id: 'i-a', ip: '127.0.0.1' },
      { id: 'i-new', ip: '127.0.0.3', state: 'Pending:Wait' },
    ]);
    fleet.answer('127.0.0.1', 'i-a', pass);
    fleet.answer('127.0.0.3', 'i-new', { status: 'pass', version: '2.1.0' });

    const report = await check()(GROUP);

    expect(report.verdict).toBe('hold');
    expect(report.reasons[0]).toMatchObject({ reason: 'LAUNCHING', instanceId: 'i-new' });
    expect(report.versions).toEqual({ '2.0.0': 1 });
    expect(report.instances[1]).toMatchObject({ health: { outcome: 'pass' }, version: '2.1.0' });
  });

  it('rolls back when a target group judges an InService instance unhealthy', async () => {
    mockGroup([{ id: 'i-a', ip: '127.0.0.1' }], { tgState: { 'i-a': 'unhealthy' } });
    fleet.answer('127.0.0.1', 'i-a', pass);
    const report = await check()(GROUP);
    expect(report.verdict).toBe('rollback');
    expect(report.reasons[0]).toMatchObject({ reason: 'LB_OUT_OF_SERVICE', instanceId: 'i-a' });
  });

  it('holds (never proceeds) when a load balancer cannot be read', async () => {
    mockGroup([{ id: 'i-a', ip: '127.0.0.1' }]);
    elbv2Mock
      .on(DescribeTargetHealthCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));
    fleet.answer('127.0.0.1', 'i-a', pass);
    const report = await check()(GROUP);
    expect(report.verdict).toBe('hold');
    expect(report.reasons[0]).toMatchObject({ reason: 'LB_UNKNOWN', instanceId: 'i-a' });
    expect(report.reasons[0]?.detail).toContain('ThrottlingException');
  });

  it('never requests an address outside the probe CIDRs, nor the metadata service', async () => {
    mockGroup([{ id: 'i-a', ip: '10.0.1.15' }, { id: 'i-b', ip: '169.254.169.254' }, { id: 'i-c' }]);
    const report = await check()(GROUP);

    expect(fetchSpy).not.toHaveBeenCalled();
    expect(fleet.requests).toEqual([]);
    expect(report.verdict).toBe('hold');
    expect(report.reasons.map((r) => [r.reason, r.instanceId])).toEqual([
      ['HEALTH_UNKNOWN', 'i-a'],
      ['HEALTH_UNKNOWN', 'i-b'],
      ['HEALTH_UNKNOWN', 'i-c'],
    ]);
    expect(report.reasons[0]?.detail).toContain('outside the allowed CIDRs');
    expect(report.reasons[1]?.detail).toContain('metadata service');
    expect(report.reasons[2]?.detail).toBe('no private IP address');
  });

  it('treats an answer from another instance (a reused IP) as unknown health, not as this one', async () => {
    mockGroup([{ id: 'i-a', ip: '127.0.0.1' }]);
    fleet.answer('127.0.0.1', 'i-a', {
      status: 'fail',
      instanceId: 'i-other',
      version: '9.9.9',
      checks: { 'config:required': { status: 'fail', transient: false } },
    });
    const report = await check()(GROUP);
    expect(report.verdict).toBe('hold');
    expect(report.reasons[0]).toMatchObject({ reason: 'HEALTH_UNKNOWN', instanceId: 'i-a' });
    expect(report.reasons[0]?.detail).toContain('answered by i-other');
    expect(report.instances[0]?.version).toBeUndefined();
  });

  it('does not probe instances on their way out', async () => {
    mockGroup([
      { id: 'i-a', ip: '127.0.0.1' },
      { id: 'i-old', ip: '127.0.0.2', state: 'Terminating:Wait' },
    ]);
    fleet.answer('127.0.0.1', 'i-a', pass);
    fleet.answer('127.0.0.2', 'i-old', pass);
    const report = await check()(GROUP);
    expect(report.verdict).toBe('proceed');
    expect(fleet.requests.map((r) => r.address)).toEqual(['127.0.0.1']);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceIds: ['i-a'] },
    ]);
  });

  it('throws GroupNotFoundError for an unknown group, before probing anything', async () => {
    asMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: TOKEN } });
    await expect(check()('nope')).rejects.toBeInstanceOf(GroupNotFoundError);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('fails closed when the configured health token parameter does not exist', async () => {
    mockGroup([{ id: 'i-a', ip: '127.0.0.1' }]);
    ssmMock
      .on(GetParameterCommand, { Name: '/healthgate/health-token' })
      .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound', $metadata: {} }));
    await expect(check()(GROUP)).rejects.toBeInstanceOf(HealthTokenMissingError);
    expect(asMock.calls()).toHaveLength(0);
  });

  it('fails on an invalid policy rather than probing with defaults', async () => {
    mockGroup([{ id: 'i-a', ip: '127.0.0.1' }]);
    ssmMock
      .on(GetParameterCommand, { Name: `/healthgate/${GROUP}/policy` })
      .resolves({ Parameter: { Value: JSON.stringify({ prot: 8080 }) } });
    await expect(check()(GROUP)).rejects.toBeInstanceOf(PolicyInvalidError);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('sends no token header when none is configured', async () => {
    mockGroup([{ id: 'i-a', ip: '127.0.0.1' }]);
    fleet.answer('127.0.0.1', 'i-a', pass);
    const { healthTokenParameter: _, ...noToken } = config;
    const report = await check({ config: noToken })(GROUP);
    expect(report.verdict).toBe('proceed');
    expect(fleet.requests[0]?.headers['x-health-token']).toBeUndefined();
    expect(ssmMock.commandCalls(GetParameterCommand).map((c) => c.args[0].input.Name)).toEqual([
      `/healthgate/${GROUP}/policy`,
    ]);
  });
});

describe('inspectGroup with injected adapters (as the deploy driver uses it)', () => {
  it('calls only what it is given and caps concurrent probes', async () => {
    let inFlight = 0;
    let peak = 0;
    const ids = Array.from({ length: 7 }, (_, i) => `i-${i}`);
    const report = await inspectGroup(
      {
        autoscaling: {
          describeLifecycleHooks: async () => [],
          describeGroup: async (name) => ({
            name,
            minSize: 0,
            maxSize: 10,
            desiredCapacity: ids.length,
            availabilityZones: [],
            loadBalancerNames: [],
            targetGroupArns: [],
            tags: {},
            instances: ids.map((instanceId) => ({
              instanceId,
              lifecycleState: 'InService',
              healthStatus: 'Healthy',
            })),
          }),
        },
        ec2: {
          describeInstance: async (id) => ({ instanceId: id, privateIp: '10.0.0.1', state: 'running' }),
        },
        elb: { describeInstanceHealth: async () => [] },
        elbv2: { describeTargetHealth: async () => [] },
        probeSettings: async (group) => {
          expect(group.name).toBe('injected');
          return { port: 8080, path: '/health', timeoutSeconds: 1 };
        },
        probe: async (o) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setImmediate(r));
          inFlight--;
          return {
            at: 0,
            latencyMs: 1,
            outcome: 'pass',
            instanceId: o.expectedInstanceId!,
            failingChecks: [],
          };
        },
        concurrency: 3,
      },
      'injected',
    );
    expect(report.verdict).toBe('proceed');
    expect(report.instances).toHaveLength(7);
    expect(peak).toBe(3);
  });

  it('holds a group whose launch hook is fail-open (DefaultResult CONTINUE)', async () => {
    const report = await inspectGroup(
      {
        autoscaling: {
          describeLifecycleHooks: async (group) => [
            {
              name: 'gate',
              groupName: group,
              transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
              defaultResult: 'CONTINUE',
            },
            {
              name: 'drain',
              groupName: group,
              transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
              defaultResult: 'CONTINUE',
            },
          ],
          describeGroup: async (name) => ({
            name,
            minSize: 0,
            maxSize: 1,
            desiredCapacity: 1,
            availabilityZones: [],
            loadBalancerNames: [],
            targetGroupArns: [],
            tags: {},
            instances: [{ instanceId: 'i-1', lifecycleState: 'InService', healthStatus: 'Healthy' }],
          }),
        },
        ec2: {
          describeInstance: async (id) => ({ instanceId: id, privateIp: '10.0.0.1', state: 'running' }),
        },
        elb: { describeInstanceHealth: async () => [] },
        elbv2: { describeTargetHealth: async () => [] },
        probeSettings: async () => ({ port: 8080, path: '/health', timeoutSeconds: 1 }),
        probe: async (o) => ({
          at: 0,
          latencyMs: 1,
          outcome: 'pass',
          instanceId: o.expectedInstanceId!,
          failingChecks: [],
        }),
      },
      'fail-open',
    );
    expect(report.verdict).toBe('hold');
    expect(report.reasons.map((r) => r.reason)).toEqual(['FAIL_OPEN_HOOK']);
    expect(report.reasons[0]?.detail).toContain('gate');
  });
});
