import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeLifecycleHooksCommand,
  DescribeScalingActivitiesCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetInstanceHealthCommand,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAutoScalingAdapter } from '../../../shared/aws/autoscaling';
import { AwsCallError, GroupNotFoundError } from '../../../shared/aws/errors';

const asMock = mockClient(AutoScalingClient);
const adapter = createAutoScalingAdapter(new AutoScalingClient({}));
const ref = { group: 'web-green', hook: 'launch-gate', token: 'tok-123', instanceId: 'i-0abc' };

function sdkError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

beforeEach(() => asMock.reset());

describe('describeGroup', () => {
  it('sends DescribeAutoScalingGroups for the one group and maps instances, LBs and tags', async () => {
    asMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'web-green',
          MinSize: 1,
          MaxSize: 4,
          DesiredCapacity: 2,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1a'],
          HealthCheckType: 'ELB',
          HealthCheckGracePeriod: 120,
          CreatedTime: new Date(0),
          LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '7' },
          LoadBalancerNames: ['classic-web'],
          TargetGroupARNs: ['arn:tg/web'],
          Tags: [{ Key: 'app', Value: 'web' }],
          Instances: [
            {
              InstanceId: 'i-0abc',
              LifecycleState: 'Pending:Wait',
              HealthStatus: 'Healthy',
              AvailabilityZone: 'us-east-1a',
              LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '7' },
              ProtectedFromScaleIn: false,
            },
          ],
        },
      ],
    });
    const group = await adapter.describeGroup('web-green');
    expect(asMock.commandCalls(DescribeAutoScalingGroupsCommand)[0]?.args[0].input).toEqual({
      AutoScalingGroupNames: ['web-green'],
    });
    expect(group).toEqual({
      name: 'web-green',
      minSize: 1,
      maxSize: 4,
      desiredCapacity: 2,
      healthCheckType: 'ELB',
      healthCheckGracePeriodSeconds: 120,
      launchTemplate: { id: 'lt-1', version: '7' },
      loadBalancerNames: ['classic-web'],
      targetGroupArns: ['arn:tg/web'],
      availabilityZones: ['us-east-1a'],
      tags: { app: 'web' },
      instances: [
        {
          instanceId: 'i-0abc',
          lifecycleState: 'Pending:Wait',
          healthStatus: 'Healthy',
          availabilityZone: 'us-east-1a',
          launchTemplateId: 'lt-1',
          launchTemplateVersion: '7',
          protectedFromScaleIn: false,
        },
      ],
    });
  });

  it('throws GroupNotFoundError for an unknown group', async () => {
    asMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    const error = await adapter.describeGroup('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GroupNotFoundError);
    expect((error as GroupNotFoundError).context).toEqual({
      service: 'autoscaling',
      operation: 'DescribeAutoScalingGroups',
      params: { AutoScalingGroupNames: ['nope'] },
    });
  });

  it('wraps other failures in AwsCallError with the SDK error as cause', async () => {
    const cause = sdkError('Throttling', 'Rate exceeded');
    asMock.on(DescribeAutoScalingGroupsCommand).rejects(cause);
    const error = (await adapter.describeGroup('web').catch((e: unknown) => e)) as AwsCallError;
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.code).toBe('Throttling');
    expect(error.httpStatus).toBe(400);
    expect(error.cause).toBe(cause);
  });
});

describe('lifecycle actions', () => {
  it("completes the instance's action with the exact input: the instance, never the token", async () => {
    asMock.on(CompleteLifecycleActionCommand).resolves({});
    const { token: _, ...byInstance } = ref;
    await expect(adapter.completeLifecycleAction({ ...byInstance, result: 'CONTINUE' })).resolves.toBe(
      'completed',
    );
    expect(asMock.commandCalls(CompleteLifecycleActionCommand)[0]?.args[0].input).toStrictEqual({
      AutoScalingGroupName: 'web-green',
      LifecycleHookName: 'launch-gate',
      InstanceId: 'i-0abc',
      LifecycleActionResult: 'CONTINUE',
    });
  });

  it('completes by token alone when no instance id is given (no InstanceId sent)', async () => {
    asMock.on(CompleteLifecycleActionCommand).resolves({});
    const { instanceId: _, ...byToken } = ref;
    await expect(adapter.completeLifecycleAction({ ...byToken, result: 'ABANDON' })).resolves.toBe(
      'completed',
    );
    expect(asMock.commandCalls(CompleteLifecycleActionCommand)[0]?.args[0].input).toStrictEqual({
      AutoScalingGroupName: 'web-green',
      LifecycleHookName: 'launch-gate',
      LifecycleActionToken: 'tok-123',
      LifecycleActionResult: 'ABANDON',
    });
  });

  it('maps "No active Lifecycle Action found" to already-completed, sent once', async () => {
    asMock
      .on(CompleteLifecycleActionCommand)
      .rejects(sdkError('ValidationError', 'No active Lifecycle Action found with instance ID i-0abc'));
    await expect(adapter.completeLifecycleAction({ ...ref, result: 'ABANDON' })).resolves.toBe(
      'already-completed',
    );
    expect(asMock.commandCalls(CompleteLifecycleActionCommand)).toHaveLength(1);
  });

  it('throws other ValidationErrors without the token in the context', async () => {
    asMock.on(CompleteLifecycleActionCommand).rejects(sdkError('ValidationError', 'Hook not found'));
    const error = (await adapter
      .completeLifecycleAction({ ...ref, result: 'ABANDON' })
      .catch((e: unknown) => e)) as AwsCallError;
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.code).toBe('ValidationError');
    expect(JSON.stringify(error.context)).not.toContain('tok-123');
    expect(error.message).not.toContain('tok-123');
  });

  it('records a heartbeat, and reports an action that is no longer active', async () => {
    asMock
      .on(RecordLifecycleActionHeartbeatCommand)
      .resolvesOnce({})
      .rejectsOnce(sdkError('ValidationError', 'No active Lifecycle Action found with token tok-123'));
    await expect(adapter.recordHeartbeat(ref)).resolves.toBe('recorded');
    await expect(adapter.recordHeartbeat(ref)).resolves.toBe('no-active-action');
    expect(asMock.commandCalls(RecordLifecycleActionHeartbeatCommand)[0]?.args[0].input).toStrictEqual({
      AutoScalingGroupName: 'web-green',
      LifecycleHookName: 'launch-gate',
      InstanceId: 'i-0abc',
    });
  });

  it('describes lifecycle hooks', async () => {
    asMock.on(DescribeLifecycleHooksCommand).resolves({
      LifecycleHooks: [
        {
          LifecycleHookName: 'launch-gate',
          AutoScalingGroupName: 'web-green',
          LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
          HeartbeatTimeout: 300,
          GlobalTimeout: 30000,
          DefaultResult: 'ABANDON',
        },
      ],
    });
    await expect(adapter.describeLifecycleHooks('web-green')).resolves.toEqual([
      {
        name: 'launch-gate',
        groupName: 'web-green',
        transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        heartbeatTimeoutSeconds: 300,
        globalTimeoutSeconds: 30000,
        defaultResult: 'ABANDON',
      },
    ]);
    expect(asMock.commandCalls(DescribeLifecycleHooksCommand)[0]?.args[0].input).toEqual({
      AutoScalingGroupName: 'web-green',
    });
  });
});

describe('instances and health', () => {
  it('sets Unhealthy without respecting the grace period', async () => {
    asMock.on(SetInstanceHealthCommand).resolves({});
    await adapter.setInstanceHealth('i-0abc');
    expect(asMock.commandCalls(SetInstanceHealthCommand)[0]?.args[0].input).toEqual({
      InstanceId: 'i-0abc',
      HealthStatus: 'Unhealthy',
      ShouldRespectGracePeriod: false,
    });
  });

  it('describes instances in batches of 50, following NextToken', async () => {
    const ids = Array.from({ length: 51 }, (_, i) => `i-${i}`);
    const row = (id: string) => ({
      InstanceId: id,
      AutoScalingGroupName: 'web',
      AvailabilityZone: 'us-east-1a',
      LifecycleState: 'InService',
      HealthStatus: 'HEALTHY',
      ProtectedFromScaleIn: false,
      LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '3' },
    });
    asMock
      .on(DescribeAutoScalingInstancesCommand)
      .resolvesOnce({ AutoScalingInstances: ids.slice(0, 25).map(row), NextToken: 'page-2' })
      .resolvesOnce({ AutoScalingInstances: ids.slice(25, 50).map(row) })
      .resolvesOnce({ AutoScalingInstances: [row('i-50')] });
    const result = await adapter.describeInstances(ids);
    expect(result.map((r) => r.instanceId)).toEqual(ids);
    expect(result[0]).toEqual({
      instanceId: 'i-0',
      groupName: 'web',
      lifecycleState: 'InService',
      healthStatus: 'HEALTHY',
      availabilityZone: 'us-east-1a',
      launchTemplateVersion: '3',
    });
    const inputs = asMock.commandCalls(DescribeAutoScalingInstancesCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { InstanceIds: ids.slice(0, 50), NextToken: undefined },
      { InstanceIds: ids.slice(0, 50), NextToken: 'page-2' },
      { InstanceIds: ['i-50'], NextToken: undefined },
    ]);
  });

  it('sends nothing for no instance ids', async () => {
    await expect(adapter.describeInstances([])).resolves.toEqual([]);
    expect(asMock.calls()).toHaveLength(0);
  });
});

describe('deploy driver calls', () => {
  it('force-deletes a group by default', async () => {
    asMock.on(DeleteAutoScalingGroupCommand).resolves({});
    await adapter.deleteAutoScalingGroup('web-blue');
    expect(asMock.commandCalls(DeleteAutoScalingGroupCommand)[0]?.args[0].input).toEqual({
      AutoScalingGroupName: 'web-blue',
      ForceDelete: true,
    });
  });

  it('pages scaling activities up to the limit', async () => {
    const activity = (id: string) => ({
      ActivityId: id,
      AutoScalingGroupName: 'web',
      Cause: 'launch',
      StartTime: new Date(0),
      StatusCode: 'Successful' as const,
    });
    asMock
      .on(DescribeScalingActivitiesCommand)
      .resolvesOnce({ Activities: [activity('a1'), activity('a2')], NextToken: 'n1' })
      .resolvesOnce({ Activities: [activity('a3')], NextToken: 'n2' });
    const result = await adapter.describeScalingActivities('web', { limit: 3 });
    expect(result.map((a) => a.activityId)).toEqual(['a1', 'a2', 'a3']);
    expect(result[0]).toEqual({
      activityId: 'a1',
      statusCode: 'Successful',
      cause: 'launch',
      startTime: new Date(0),
    });
    expect(asMock.commandCalls(DescribeScalingActivitiesCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'web', NextToken: undefined },
      { AutoScalingGroupName: 'web', NextToken: 'n1' },
    ]);
  });
});
