import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../app/boot';
import { ConfigError } from '../../../app/errors';
import { envKeyFor, loadSsmConfig } from '../../../app/ssm-config';

const ssm = mockClient(SSMClient);
afterEach(() => ssm.reset());

describe('loadSsmConfig', () => {
  it('reads the path recursively with decryption, page by page, into UPPER_SNAKE keys', async () => {
    ssm
      .on(GetParametersByPathCommand, { Path: '/app/prod/', NextToken: undefined })
      .resolves({ Parameters: [{ Name: '/app/prod/secret_key', Value: 's3cret' }], NextToken: 'page2' })
      .on(GetParametersByPathCommand, { Path: '/app/prod/', NextToken: 'page2' })
      .resolves({ Parameters: [{ Name: '/app/prod/db/database-url', Value: 'postgres://h/db' }] });
    const env = await loadSsmConfig(
      { HEALTHGATE_SSM_CONFIG_PATH: '/app/prod/', PORT: '9000' },
      { client: new SSMClient({}) },
    );
    expect(env).toMatchObject({ SECRET_KEY: 's3cret', DB_DATABASE_URL: 'postgres://h/db', PORT: '9000' });
    const calls = ssm.commandCalls(GetParametersByPathCommand).map((c) => c.args[0].input);
    // The paginator reuses one input object, so both recorded inputs show the last token.
    expect(calls).toHaveLength(2);
    for (const input of calls) {
      expect(input).toMatchObject({ Path: '/app/prod/', Recursive: true, WithDecryption: true });
    }
  });

  it('lets an explicit environment variable win over the store', async () => {
    ssm
      .on(GetParametersByPathCommand)
      .resolves({ Parameters: [{ Name: '/p/SECRET_KEY', Value: 'from-ssm' }] });
    const env = await loadSsmConfig(
      { HEALTHGATE_SSM_CONFIG_PATH: '/p', SECRET_KEY: 'from-env' },
      { client: new SSMClient({}) },
    );
    expect(env.SECRET_KEY).toBe('from-env');
  });

  it('sends nothing without the path key', async () => {
    const env = { SECRET_KEY: 'k' };
    expect(await loadSsmConfig(env, { client: new SSMClient({}) })).toBe(env);
    expect(ssm.calls()).toHaveLength(0);
  });

  it('fails closed naming the path when the store cannot be read', async () => {
    ssm.on(GetParametersByPathCommand).rejects(new Error('AccessDeniedException'));
    const error = await loadSsmConfig(
      { HEALTHGATE_SSM_CONFIG_PATH: '/app/prod/' },
      { client: new SSMClient({}) },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('/app/prod/');
  });

  it('feeds the typed configuration (SECRET_KEY from the store)', async () => {
    ssm
      .on(GetParametersByPathCommand)
      .resolves({ Parameters: [{ Name: '/app/prod/secret-key', Value: 'x' }] });
    const config = await resolveConfig(
      { HEALTHGATE_SSM_CONFIG_PATH: '/app/prod/', NODE_ENV: 'production' },
      { ssmClient: () => new SSMClient({}) },
    );
    expect(config.secretKey).toBe('x');
  });
});

describe('envKeyFor', () => {
  it('maps names relative to the path', () => {
    expect(envKeyFor('/app/prod/', '/app/prod/health.token')).toBe('HEALTH_TOKEN');
    expect(envKeyFor('/app/prod', '/app/prod/allowed-hosts')).toBe('ALLOWED_HOSTS');
  });
});
