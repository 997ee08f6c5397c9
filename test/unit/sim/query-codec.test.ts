import { DescribeAutoScalingGroups$, PutLifecycleHook$ } from '@aws-sdk/client-auto-scaling';
import { DescribeInstances$, TerminateInstances$ } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { decodeQuery, encodeOutputMembers, type OperationSchema } from '../../../sim/api/query-codec';

const op = (s: unknown) => s as OperationSchema;

describe('query codec', () => {
  it('decodes awsQuery member lists and scalars by schema', () => {
    const params = new URLSearchParams(
      'Action=DescribeAutoScalingGroups&Version=2011-01-01&AutoScalingGroupNames.member.2=b&AutoScalingGroupNames.member.1=a&MaxRecords=10',
    );
    expect(decodeQuery(op(DescribeAutoScalingGroups$), params, { ec2: false })).toEqual({
      AutoScalingGroupNames: ['a', 'b'],
      MaxRecords: 10,
    });
    const hook = new URLSearchParams(
      'AutoScalingGroupName=g&LifecycleHookName=h&HeartbeatTimeout=60&DefaultResult=ABANDON',
    );
    expect(decodeQuery(op(PutLifecycleHook$), hook, { ec2: false })).toMatchObject({
      AutoScalingGroupName: 'g',
      HeartbeatTimeout: 60,
      DefaultResult: 'ABANDON',
    });
  });

  it('decodes ec2Query flattened lists with their ec2 names', () => {
    const params = new URLSearchParams(
      'InstanceId.1=i-1&InstanceId.2=i-2&Filter.1.Name=tag%3Aaws%3Aautoscaling%3AgroupName&Filter.1.Value.1=g&DryRun=false',
    );
    expect(decodeQuery(op(DescribeInstances$), params, { ec2: true })).toEqual({
      InstanceIds: ['i-1', 'i-2'],
      Filters: [{ Name: 'tag:aws:autoscaling:groupName', Values: ['g'] }],
      DryRun: false,
    });
  });

  it('encodes awsQuery lists as <member> and escapes text', () => {
    const xml = encodeOutputMembers(op(DescribeAutoScalingGroups$), {
      AutoScalingGroups: [
        { AutoScalingGroupName: 'a<b', MinSize: 1, CreatedTime: new Date(0), AvailabilityZones: ['z'] },
      ],
    });
    expect(xml).toContain('<AutoScalingGroups><member><AutoScalingGroupName>a&lt;b</AutoScalingGroupName>');
    expect(xml).toContain('<AvailabilityZones><member>z</member></AvailabilityZones>');
    expect(xml).toContain('<CreatedTime>1970-01-01T00:00:00.000Z</CreatedTime>');
  });

  it('encodes ec2 outputs with xml names and <item> lists', () => {
    const xml = encodeOutputMembers(op(TerminateInstances$), {
      TerminatingInstances: [{ InstanceId: 'i-1', CurrentState: { Code: 32, Name: 'shutting-down' } }],
    });
    expect(xml).toBe(
      '<instancesSet><item><instanceId>i-1</instanceId><currentState><code>32</code><name>shutting-down</name></currentState></item></instancesSet>',
    );
  });
});
