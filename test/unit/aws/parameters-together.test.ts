/**
 * readParametersTogether against the sim: the health token and the state keys, read by every cold container, cost
 * one GetParameters call between them; anything the answer does not hold is read alone, as before.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHealthTokenSource, HealthTokenMissingError } from '../../../shared/aws/health-token';
import { createPolicyLoader } from '../../../shared/aws/policy-loader';
import { createSsmAdapter, type ParametersRead, readParametersTogether } from '../../../shared/aws/ssm';
import { parsePolicyInput } from '../../../shared/gate';
import { createStateKeySource } from '../../../shared/launch/state-seal';
import { type Sim, startSim } from '../../../sim';
import { ManualScheduler } from '../../../sim/model/scheduler';

let sim: Sim;
const TOKEN = '/healthgate/health-token';
const KEY = '/healthgate/state-key';
const POLICY = '/healthgate/web/policy';

beforeAll(async () => {
  sim = await startSim({ seed: 7, scheduler: new ManualScheduler() });
  vi.stubEnv('AWS_ENDPOINT_URL', sim.endpoint);
  sim.model.parameters.put({ name: TOKEN, value: 'token-123', type: 'SecureString' });
  sim.model.parameters.put({
    name: KEY,
    value: 'a'.repeat(40),
    type: 'SecureString',
  });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await sim.close();
});

const calls = () => ({
  one: sim.requests.entries({ action: 'GetParameter' }).length,
  together: sim.requests.entries({ action: 'GetParameters' }).length,
});

describe('readParametersTogether', () => {
  it('reads the token and the state keys in one decrypted GetParameters call, then serves both for the TTL', async () => {
    let clock = 1_000;
    const now = () => clock;
    const ssm = readParametersTogether(createSsmAdapter(), [TOKEN, KEY], { ttlMs: 60_000, now });
    const token = createHealthTokenSource({ ssm, parameterName: TOKEN, cacheSeconds: 0 });
    const keys = createStateKeySource({ ssm, parameterName: KEY, cacheSeconds: 0 });
    const before = calls();

    expect(await token()).toBe('token-123');
    expect((await keys())?.seal.secret).toBe('a'.repeat(40));
    expect(await token()).toBe('token-123');
    expect(calls()).toEqual({ one: before.one, together: before.together + 1 });
    expect(sim.requests.entries({ action: 'GetParameters' }).at(-1)?.params).toMatchObject({
      Names: [TOKEN, KEY],
      WithDecryption: true,
    });

    clock += 60_000;
    expect(await token()).toBe('token-123');
    expect(calls()).toEqual({ one: before.one, together: before.together + 2 });
  });

  it('a name AWS lists as missing is missing without another call, so a missing token still fails closed', async () => {
    const missing = '/healthgate/no-such-token';
    const ssm = readParametersTogether(createSsmAdapter(), [missing, KEY], { ttlMs: 60_000 });
    const before = calls();
    const token = createHealthTokenSource({ ssm, parameterName: missing, cacheSeconds: 0 });
    await expect(token()).rejects.toBeInstanceOf(HealthTokenMissingError);
    expect(calls()).toEqual({ one: before.one, together: before.together + 1 });
  });

  it("a cold container's first other read (the group's policy) carries the token and the keys in the same call", async () => {
    sim.model.parameters.put({ name: POLICY, value: '{"healthyThreshold":2}', type: 'SecureString' });
    const ssm = readParametersTogether(createSsmAdapter(), [TOKEN, KEY], { ttlMs: 60_000 });
    const policies = createPolicyLoader({ ssm, parse: parsePolicyInput, cacheSeconds: 0 });
    const token = createHealthTokenSource({ ssm, parameterName: TOKEN, cacheSeconds: 0 });
    const before = calls();

    expect((await policies.load('web')).policy).toMatchObject({ healthyThreshold: 2 });
    expect(await token()).toBe('token-123');
    expect(calls()).toEqual({ one: before.one, together: before.together + 1 });
    expect(sim.requests.entries({ action: 'GetParameters' }).at(-1)?.params).toMatchObject({
      Names: [POLICY, TOKEN, KEY],
      WithDecryption: true,
    });
    // While the answer is fresh, another group's policy and a read without decryption go alone.
    await policies.load('other');
    expect(await ssm.getParameter(TOKEN, { decrypt: false })).not.toBe('token-123');
    expect(calls()).toEqual({ one: before.one + 2, together: before.together + 1 });
  });

  it("a failed batch is read alone (its error is the one call's) and not kept: the next read batches again", async () => {
    const read: ParametersRead = {
      found: new Map([[TOKEN, { name: TOKEN, value: 't' }]]),
      missing: new Set(),
    };
    const getParameters = vi.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValue(read);
    const getParameterEntry = vi
      .fn()
      .mockRejectedValue(new Error('GetParameter /healthgate/health-token: denied'));
    const ssm = readParametersTogether({ getParameterEntry, getParameters }, [TOKEN, KEY], { ttlMs: 60_000 });
    await expect(ssm.getParameter(TOKEN)).rejects.toThrow('GetParameter /healthgate/health-token: denied');
    expect(await ssm.getParameter(TOKEN)).toBe('t');
    expect(getParameters).toHaveBeenCalledTimes(2);
    expect(getParameterEntry).toHaveBeenCalledTimes(1);
  });

  it('a read that would take GetParameters past 10 names goes alone', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => `/healthgate/p${i}`);
    const ssm = readParametersTogether(createSsmAdapter(), ten, { ttlMs: 60_000 });
    const before = calls();
    expect(await ssm.getParameter(POLICY)).toBeDefined();
    expect(await ssm.getParameter('/healthgate/p3')).toBeUndefined();
    expect(calls()).toEqual({ one: before.one + 1, together: before.together + 1 });
  });
});
