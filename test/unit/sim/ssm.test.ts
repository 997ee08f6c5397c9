/**
 * The sim's Parameter Store as the real SDK client sees it: a SecureString read without decryption answers
 * ciphertext, and PutParameter refuses what SSM refuses (empty values, bad names, a missing type on create, an
 * existing name without Overwrite).
 */
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  type PutParameterCommandInput,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../../sim';
import { ManualScheduler } from '../../../sim/model/scheduler';

let sim: Sim;
let ssm: SSMClient;
const SECRET = '{"token":"s3cr3t-value"}';

beforeAll(async () => {
  sim = await startSim({ seed: 3, scheduler: new ManualScheduler() });
  ssm = new SSMClient({
    endpoint: sim.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  await ssm.send(new PutParameterCommand({ Name: '/hg/secret', Value: SECRET, Type: 'SecureString' }));
  await ssm.send(new PutParameterCommand({ Name: '/hg/plain', Value: 'plain', Type: 'String' }));
});

afterAll(async () => {
  await sim.close();
});

const failure = async (input: PutParameterCommandInput) => {
  const error = (await ssm.send(new PutParameterCommand(input)).then(
    () => undefined,
    (e: unknown) => e,
  )) as Error | undefined;
  if (!error) throw new Error(`expected PutParameter ${JSON.stringify(input.Name)} to fail`);
  return { name: error.name, message: error.message };
};

describe('SecureString reads', () => {
  it('GetParameter without WithDecryption answers base64 ciphertext, never the plaintext', async () => {
    const out = await ssm.send(new GetParameterCommand({ Name: '/hg/secret' }));
    const value = out.Parameter?.Value ?? '';
    expect(out.Parameter?.Type).toBe('SecureString');
    expect(value).not.toContain('s3cr3t');
    expect(value).toMatch(/^AQICAH[A-Za-z0-9+/]+=*$/);
    expect(value.length).toBeGreaterThan(SECRET.length);
    expect(() => JSON.parse(value)).toThrow();
    // The same version reads back as the same ciphertext.
    expect((await ssm.send(new GetParameterCommand({ Name: '/hg/secret' }))).Parameter?.Value).toBe(value);
  });

  it('WithDecryption answers the plaintext; String ignores the flag', async () => {
    const decrypted = await ssm.send(new GetParameterCommand({ Name: '/hg/secret', WithDecryption: true }));
    expect(decrypted.Parameter?.Value).toBe(SECRET);
    const plain = await ssm.send(new GetParameterCommand({ Name: '/hg/plain' }));
    expect(plain.Parameter?.Value).toBe('plain');
  });

  it('GetParameters and GetParametersByPath encrypt the same way', async () => {
    const many = await ssm.send(new GetParametersCommand({ Names: ['/hg/secret', '/hg/plain'] }));
    const byName = new Map(many.Parameters?.map((p) => [p.Name, p.Value]));
    expect(byName.get('/hg/secret')).not.toBe(SECRET);
    expect(byName.get('/hg/plain')).toBe('plain');
    const path = await ssm.send(new GetParametersByPathCommand({ Path: '/hg' }));
    expect(path.Parameters?.find((p) => p.Name === '/hg/secret')?.Value).not.toBe(SECRET);
    const decrypted = await ssm.send(new GetParametersByPathCommand({ Path: '/hg', WithDecryption: true }));
    expect(decrypted.Parameters?.find((p) => p.Name === '/hg/secret')?.Value).toBe(SECRET);
  });
});

describe('PutParameter validation', () => {
  it('an empty value is a ValidationException', async () => {
    expect(await failure({ Name: '/hg/empty', Value: '', Type: 'String' })).toEqual({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
  });

  it('an existing name without Overwrite is ParameterAlreadyExists; with it, a new version of the same type', async () => {
    expect(await failure({ Name: '/hg/plain', Value: 'again', Type: 'String' })).toMatchObject({
      name: 'ParameterAlreadyExists',
    });
    const out = await ssm.send(new PutParameterCommand({ Name: '/hg/secret', Value: '{}', Overwrite: true }));
    expect(out.Version).toBe(2);
    const read = await ssm.send(new GetParameterCommand({ Name: '/hg/secret', WithDecryption: true }));
    expect(read.Parameter).toMatchObject({ Type: 'SecureString', Value: '{}', Version: 2 });
  });

  it('a new parameter needs a Type, one of the three', async () => {
    expect(await failure({ Name: '/hg/untyped', Value: 'x' })).toEqual({
      name: 'ValidationException',
      message: 'A parameter type is required when you create a parameter.',
    });
    expect(await failure({ Name: '/hg/odd', Value: 'x', Type: 'Secret' as never })).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining(
        'Member must satisfy enum value set: [SecureString, StringList, String]',
      ),
    });
  });

  it('refuses reserved prefixes, odd characters, partial paths and hierarchies deeper than 15', async () => {
    for (const Name of ['/aws/thing', 'ssm-thing', '/hg/with space', '/hg/é', 'hg/relative']) {
      expect(await failure({ Name, Value: 'x', Type: 'String' })).toMatchObject({
        name: 'ValidationException',
      });
    }
    const deep = `/${Array.from({ length: 16 }, (_, n) => `l${n}`).join('/')}`;
    expect(await failure({ Name: deep, Value: 'x', Type: 'String' })).toMatchObject({
      name: 'HierarchyLevelLimitExceededException',
    });
    const fifteen = `/${Array.from({ length: 15 }, (_, n) => `l${n}`).join('/')}`;
    await expect(
      ssm.send(new PutParameterCommand({ Name: fifteen, Value: 'x', Type: 'String' })),
    ).resolves.toMatchObject({ Version: 1 });
  });

  it('refuses a standard value over 4096 characters and an unknown data type', async () => {
    expect(await failure({ Name: '/hg/big', Value: 'x'.repeat(4097), Type: 'String' })).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('maximum parameter value of 4096 characters'),
    });
    expect(await failure({ Name: '/hg/dt', Value: 'x', Type: 'String', DataType: 'json' })).toMatchObject({
      name: 'ValidationException',
    });
  });
});
