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
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createElbAdapter, parseClassicTarget } from '../../../shared/aws/elb';
import { createElbV2Adapter } from '../../../shared/aws/elbv2';
import { AwsCallError, LoadBalancerNotFoundError } from '../../../shared/aws/errors';

const elbMock = mockClient(ElasticLoadBalancingClient);
const elbv2Mock = mockClient(ElasticLoadBalancingV2Client);
const elb = createElbAdapter(new ElasticLoadBalancingClient({}));
const elbv2 = createElbV2Adapter(new ElasticLoadBalancingV2Client({}));

function sdkError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

beforeEach(() => {
  elbMock.reset();
  elbv2Mock.reset();
});

describe('classic ELB', () => {
  it('describes the health check and parses its target', async () => {
    elbMock.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancerDescriptions: [
        {
          LoadBalancerName: 'web',
          HealthCheck: {
            Target: 'HTTP:8080/health?deep=1',
            Interval: 10,
            Timeout: 5,
            HealthyThreshold: 3,
            UnhealthyThreshold: 2,
          },
        },
      ],
    });
    await expect(elb.describeHealthCheck('web')).resolves.toEqual({
      target: 'HTTP:8080/health?deep=1',
      protocol: 'HTTP',
      port: 8080,
      path: '/health?deep=1',
      intervalSeconds: 10,
      timeoutSeconds: 5,
      healthyThreshold: 3,
      unhealthyThreshold: 2,
    });
    expect(elbMock.commandCalls(DescribeLoadBalancersCommand)[0]?.args[0].input).toEqual({
      LoadBalancerNames: ['web'],
    });
  });

  it('parses TCP targets and rejects odd ones', () => {
    expect(parseClassicTarget('TCP:22')).toEqual({ protocol: 'TCP', port: 22 });
    expect(parseClassicTarget('HTTP:0/x')).toBeUndefined();
    expect(parseClassicTarget('HTTP:99999/x')).toBeUndefined();
    expect(parseClassicTarget('garbage')).toBeUndefined();
  });

  it('maps LoadBalancerNotFound to LoadBalancerNotFoundError', async () => {
    elbMock.on(DescribeLoadBalancersCommand).rejects(sdkError('AccessPointNotFoundException'));
    await expect(elb.describeHealthCheck('gone')).rejects.toBeInstanceOf(LoadBalancerNotFoundError);
  });

  it('describes instance health for the requested instances', async () => {
    elbMock.on(DescribeInstanceHealthCommand).resolves({
      InstanceStates: [
        { InstanceId: 'i-1', State: 'InService', ReasonCode: 'N/A', Description: 'N/A' },
        { InstanceId: 'i-2', State: 'OutOfService', ReasonCode: 'Instance', Description: 'failed checks' },
        { InstanceId: 'i-3', State: 'Weird' },
      ],
    });
    await expect(elb.describeInstanceHealth('web', ['i-1', 'i-2', 'i-3'])).resolves.toEqual([
      { instanceId: 'i-1', state: 'InService', reasonCode: 'N/A', description: 'N/A' },
      { instanceId: 'i-2', state: 'OutOfService', reasonCode: 'Instance', description: 'failed checks' },
      { instanceId: 'i-3', state: 'Unknown' },
    ]);
    expect(elbMock.commandCalls(DescribeInstanceHealthCommand)[0]?.args[0].input).toEqual({
      LoadBalancerName: 'web',
      Instances: [{ InstanceId: 'i-1' }, { InstanceId: 'i-2' }, { InstanceId: 'i-3' }],
    });
  });

  it('answers NotRegistered for requested instances the load balancer does not know', async () => {
    elbMock
      .on(DescribeInstanceHealthCommand)
      .rejectsOnce(sdkError('InvalidEndPointException', 'Could not find EC2 instance i-new'))
      .resolvesOnce({ InstanceStates: [{ InstanceId: 'i-old', State: 'InService', ReasonCode: 'N/A' }] });
    await expect(elb.describeInstanceHealth('web', ['i-new', 'i-old'])).resolves.toEqual([
      {
        instanceId: 'i-new',
        state: 'Unknown',
        reasonCode: 'NotRegistered',
        description: 'Instance is not registered with the load balancer.',
      },
      { instanceId: 'i-old', state: 'InService', reasonCode: 'N/A' },
    ]);
    expect(elbMock.commandCalls(DescribeInstanceHealthCommand).map((c) => c.args[0].input)).toEqual([
      { LoadBalancerName: 'web', Instances: [{ InstanceId: 'i-new' }, { InstanceId: 'i-old' }] },
      { LoadBalancerName: 'web', Instances: undefined },
    ]);
  });
});

describe('ELBv2', () => {
  it('describes target groups, following NextMarker, with traffic-port and numeric ports', async () => {
    elbv2Mock
      .on(DescribeTargetGroupsCommand)
      .resolvesOnce({
        TargetGroups: [
          {
            TargetGroupArn: 'arn:tg/a',
            TargetGroupName: 'a',
            Protocol: 'HTTP',
            Port: 8080,
            HealthCheckProtocol: 'HTTP',
            HealthCheckPort: 'traffic-port',
            HealthCheckEnabled: true,
            HealthCheckIntervalSeconds: 15,
            HealthCheckTimeoutSeconds: 5,
            HealthyThresholdCount: 3,
            UnhealthyThresholdCount: 2,
            HealthCheckPath: '/health',
            Matcher: { HttpCode: '200' },
          },
        ],
        NextMarker: 'm1',
      })
      .resolvesOnce({
        TargetGroups: [{ TargetGroupArn: 'arn:tg/b', HealthCheckPort: '9000', HealthCheckPath: '/ping' }],
      });
    const groups = await elbv2.describeTargetGroups(['arn:tg/a', 'arn:tg/b']);
    expect(groups).toEqual([
      {
        arn: 'arn:tg/a',
        name: 'a',
        protocol: 'HTTP',
        port: 8080,
        healthCheckEnabled: true,
        healthCheckProtocol: 'HTTP',
        healthCheckPort: 'traffic-port',
        healthCheckPath: '/health',
        intervalSeconds: 15,
        timeoutSeconds: 5,
        healthyThreshold: 3,
        unhealthyThreshold: 2,
        matcher: { httpCode: '200' },
      },
      { arn: 'arn:tg/b', healthCheckEnabled: true, healthCheckPort: 9000, healthCheckPath: '/ping' },
    ]);
    expect(elbv2Mock.commandCalls(DescribeTargetGroupsCommand).map((c) => c.args[0].input)).toEqual([
      { TargetGroupArns: ['arn:tg/a', 'arn:tg/b'], Marker: undefined },
      { TargetGroupArns: ['arn:tg/a', 'arn:tg/b'], Marker: 'm1' },
    ]);
  });

  it('never describes every target group of the account for an empty list', async () => {
    await expect(elbv2.describeTargetGroups([])).resolves.toEqual([]);
    expect(elbv2Mock.calls()).toHaveLength(0);
  });

  it('maps TargetGroupNotFound', async () => {
    elbv2Mock.on(DescribeTargetGroupsCommand).rejects(sdkError('TargetGroupNotFoundException'));
    await expect(elbv2.describeTargetGroups(['arn:tg/x'])).rejects.toBeInstanceOf(LoadBalancerNotFoundError);
  });

  it('describes target health for given targets; unknown states are unavailable', async () => {
    elbv2Mock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-1', Port: 8080 }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: 'i-2', Port: 8080 },
          TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'not registered' },
        },
        { Target: { Id: 'i-3' }, TargetHealth: { State: 'brand-new' as never } },
      ],
    });
    await expect(
      elbv2.describeTargetHealth('arn:tg/a', [{ id: 'i-1', port: 8080 }, { id: 'i-2' }]),
    ).resolves.toEqual([
      { id: 'i-1', port: 8080, state: 'healthy' },
      {
        id: 'i-2',
        port: 8080,
        state: 'unused',
        reason: 'Target.NotRegistered',
        description: 'not registered',
      },
      { id: 'i-3', state: 'unavailable' },
    ]);
    expect(elbv2Mock.commandCalls(DescribeTargetHealthCommand)[0]?.args[0].input).toEqual({
      TargetGroupArn: 'arn:tg/a',
      Targets: [{ Id: 'i-1', Port: 8080 }, { Id: 'i-2' }],
    });
  });

  it('wraps unexpected errors', async () => {
    elbv2Mock.on(DescribeTargetHealthCommand).rejects(sdkError('InvalidTargetException'));
    const error = (await elbv2.describeTargetHealth('arn:tg/a').catch((e: unknown) => e)) as AwsCallError;
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.context).toEqual({
      service: 'elasticloadbalancing',
      operation: 'DescribeTargetHealth',
      params: { TargetGroupArn: 'arn:tg/a', Targets: undefined },
    });
  });
});
