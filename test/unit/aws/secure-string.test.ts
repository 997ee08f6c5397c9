/**
 * SecureString values through the production adapters, against the sim (which, like SSM, answers ciphertext to a
 * read without decryption): a policy or health token stored encrypted is read in clear, a policy that is not
 * JSON is reported by name and type without its value, and a deploy's policy write keeps the stored type.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PolicyInvalidError } from '../../../shared/aws/errors';
import { createHealthTokenSource } from '../../../shared/aws/health-token';
import { createPolicyLoader } from '../../../shared/aws/policy-loader';
import { createSsmAdapter, createSsmClient } from '../../../shared/aws/ssm';
import { createParameterWriter } from '../../../shared/aws/writers';
import { parsePolicyInput } from '../../../shared/gate';
import { type Sim, startSim } from '../../../sim';
import { ManualScheduler } from '../../../sim/model/scheduler';

let sim: Sim;
const SECRET = 'not-json-but-secret-s3cr3t';

beforeAll(async () => {
  sim = await startSim({ seed: 4, scheduler: new ManualScheduler() });
  vi.stubEnv('AWS_ENDPOINT_URL', sim.endpoint);
  const p = sim.model.parameters;
  p.put({ name: '/healthgate/web/policy', value: '{"healthyThreshold":3}', type: 'SecureString' });
  p.put({ name: '/healthgate/broken/policy', value: SECRET, type: 'SecureString' });
  p.put({ name: '/healthgate/health-token', value: 'token-123', type: 'SecureString' });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await sim.close();
});

describe('SecureString through the adapters', () => {
  it('a SecureString policy is read decrypted, so it is applied rather than abandoned as invalid', async () => {
    const policies = createPolicyLoader({
      ssm: createSsmAdapter(),
      parse: parsePolicyInput,
      cacheSeconds: 0,
    });
    const loaded = await policies.load('web');
    expect(loaded.policy).toMatchObject({ healthyThreshold: 3 });
    const read = sim.requests.entries({ action: 'GetParameter' }).at(-1)?.params;
    expect(read).toMatchObject({ Name: '/healthgate/web/policy', WithDecryption: true });
  });

  it('a policy that is not JSON is named with its type, and its value appears nowhere in the error', async () => {
    const policies = createPolicyLoader({
      ssm: createSsmAdapter(),
      parse: parsePolicyInput,
      cacheSeconds: 0,
    });
    const error = (await policies.load('broken').catch((e: unknown) => e)) as PolicyInvalidError;
    expect(error).toBeInstanceOf(PolicyInvalidError);
    expect(error.message).toBe(
      'policy parameter /healthgate/broken/policy (SecureString) is not JSON (unexpected character)',
    );
    expect(`${error.message} ${String(error.cause)} ${error.stack}`).not.toContain('s3cr3t');
  });

  it('the health token is read decrypted', async () => {
    const token = createHealthTokenSource({
      ssm: createSsmAdapter(),
      parameterName: '/healthgate/health-token',
      cacheSeconds: 0,
    });
    await expect(token()).resolves.toBe('token-123');
  });

  it("a deploy's policy write keeps an encrypted policy encrypted, and creates a new one as a String", async () => {
    const writer = createParameterWriter(createSsmClient());
    await writer.putParameter('/healthgate/web/policy', '{"healthyThreshold":4}');
    expect(sim.model.parameters.get('/healthgate/web/policy')).toMatchObject({
      type: 'SecureString',
      value: '{"healthyThreshold":4}',
      version: 2,
    });
    await writer.putParameter('/healthgate/new/policy', '{}');
    expect(sim.model.parameters.get('/healthgate/new/policy')).toMatchObject({ type: 'String', version: 1 });
  });
});
