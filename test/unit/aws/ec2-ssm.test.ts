import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEc2Adapter } from '../../../shared/aws/ec2';
import { AwsCallError, InstanceNotFoundError } from '../../../shared/aws/errors';
import { createSsmAdapter } from '../../../shared/aws/ssm';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const ec2 = createEc2Adapter(new EC2Client({}));
const ssm = createSsmAdapter(new SSMClient({}));

function sdkError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

beforeEach(() => {
  ec2Mock.reset();
  ssmMock.reset();
});

describe('ec2.describeInstance', () => {
  it('returns the private IP, state, group and launch template version from tags', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-0abc',
              PrivateIpAddress: '10.0.1.15',
              ImageId: 'ami-1',
              State: { Name: 'running', Code: 16 },
              Tags: [
                { Key: 'aws:autoscaling:groupName', Value: 'web-green' },
                { Key: 'aws:ec2launchtemplate:version', Value: '7' },
              ],
            },
          ],
        },
      ],
    });
    await expect(ec2.describeInstance('i-0abc')).resolves.toEqual({
      instanceId: 'i-0abc',
      privateIp: '10.0.1.15',
      state: 'running',
      groupName: 'web-green',
      launchTemplateVersion: '7',
      imageId: 'ami-1',
    });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toEqual({
      InstanceIds: ['i-0abc'],
    });
  });

  it('maps InvalidInstanceID.NotFound to InstanceNotFoundError', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(sdkError('InvalidInstanceID.NotFound'));
    const error = (await ec2.describeInstance('i-gone').catch((e: unknown) => e)) as InstanceNotFoundError;
    expect(error).toBeInstanceOf(InstanceNotFoundError);
    expect(error.name).toBe('InstanceNotFoundError');
    expect(error.instanceId).toBe('i-gone');
    expect(error.context.operation).toBe('DescribeInstances');
  });

  it('treats an empty answer as not found, too', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    await expect(ec2.describeInstance('i-gone')).rejects.toBeInstanceOf(InstanceNotFoundError);
  });

  it('does not hide other errors as not found', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(sdkError('UnauthorizedOperation'));
    const error = await ec2.describeInstance('i-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).not.toBeInstanceOf(InstanceNotFoundError);
  });
});

describe('ssm', () => {
  it('gets a parameter, decrypting when asked', async () => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: '/x', Value: 'v', Type: 'SecureString' } });
    await expect(ssm.getParameter('/x', { decrypt: true })).resolves.toBe('v');
    expect(ssmMock.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({
      Name: '/x',
      WithDecryption: true,
    });
  });

  it('decrypts unless told not to, and maps ParameterNotFound to undefined', async () => {
    ssmMock.on(GetParameterCommand).rejects(sdkError('ParameterNotFound'));
    await expect(ssm.getParameter('/missing')).resolves.toBeUndefined();
    await expect(ssm.getParameter('/missing', { decrypt: false })).resolves.toBeUndefined();
    expect(ssmMock.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([
      { Name: '/missing', WithDecryption: true },
      { Name: '/missing', WithDecryption: false },
    ]);
  });

  it('reads an entry with its type and version', async () => {
    ssmMock
      .on(GetParameterCommand)
      .resolves({ Parameter: { Name: '/x', Value: 'v', Type: 'SecureString', Version: 3 } });
    await expect(ssm.getParameterEntry('/x')).resolves.toEqual({
      name: '/x',
      value: 'v',
      type: 'SecureString',
      version: 3,
    });
  });

  it('throws other errors as AwsCallError', async () => {
    ssmMock.on(GetParameterCommand).rejects(sdkError('AccessDeniedException'));
    await expect(ssm.getParameter('/x')).rejects.toBeInstanceOf(AwsCallError);
  });

  it('gets parameters by path, following NextToken', async () => {
    ssmMock
      .on(GetParametersByPathCommand)
      .resolvesOnce({
        Parameters: [{ Name: '/hg/a/policy', Value: '{}', Version: 2, Type: 'SecureString' }],
        NextToken: 't1',
      })
      .resolvesOnce({ Parameters: [{ Name: '/hg/b/policy', Value: '{"port":80}' }] });
    await expect(ssm.getParametersByPath('/hg', { recursive: true })).resolves.toEqual([
      { name: '/hg/a/policy', value: '{}', version: 2, type: 'SecureString' },
      { name: '/hg/b/policy', value: '{"port":80}' },
    ]);
    expect(ssmMock.commandCalls(GetParametersByPathCommand).map((c) => c.args[0].input)).toEqual([
      { Path: '/hg', Recursive: true, WithDecryption: true, NextToken: undefined },
      { Path: '/hg', Recursive: true, WithDecryption: true, NextToken: 't1' },
    ]);
  });
});
