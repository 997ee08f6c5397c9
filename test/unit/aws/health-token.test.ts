import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createHealthTokenSource, HealthTokenMissingError } from '../../../shared/aws/health-token';
import { createSsmAdapter } from '../../../shared/aws/ssm';

describe('createHealthTokenSource', () => {
  it('reads the SecureString once per TTL, decrypted, and fails when it is configured but missing', async () => {
    const client = new SSMClient({});
    const mock = mockClient(client);
    mock.on(GetParameterCommand, { Name: '/hg/token' }).resolves({ Parameter: { Value: 'tok' } });
    mock
      .on(GetParameterCommand, { Name: '/hg/missing' })
      .rejects(Object.assign(new Error('nf'), { name: 'ParameterNotFound' }));
    const ssm = createSsmAdapter(client);
    const source = createHealthTokenSource({ ssm, parameterName: '/hg/token', cacheSeconds: 60 });
    expect(await source()).toBe('tok');
    expect(await source()).toBe('tok');
    expect(mock.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(mock.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({
      Name: '/hg/token',
      WithDecryption: true,
    });

    const missing = createHealthTokenSource({ ssm, parameterName: '/hg/missing', cacheSeconds: 60 });
    await expect(missing()).rejects.toBeInstanceOf(HealthTokenMissingError);
    expect(await createHealthTokenSource({ ssm, cacheSeconds: 60 })()).toBeUndefined();
  });
});
