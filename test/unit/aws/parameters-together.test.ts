/**
 * readParametersTogether against the sim: the health token and the state keys, read by every cold container, cost
 * one GetParameters call between them; anything the answer does not hold is read alone, as before.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHealthTokenSource, HealthTokenMissingError } from '../../../shared/aws/health-token';
import { createSsmAdapter, type Parameter, readParametersTogether } from '../../../shared/aws/ssm';
import { createStateKeySource } from '../../../shared/launch/state-seal';
import { type Sim, startSim } from '../../../sim';
import { ManualScheduler } from '../../../sim/model/scheduler';

let sim: Sim;
const TOKEN = '/healthgate/health-token';
const KEY = '/healthgate/state-key';

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

  it('a name the answer does not hold is read alone, so a missing token still fails closed by name', async () => {
    const missing = '/healthgate/no-such-token';
    const ssm = readParametersTogether(createSsmAdapter(), [missing, KEY], { ttlMs: 60_000 });
    const before = calls();
    const token = createHealthTokenSource({ ssm, parameterName: missing, cacheSeconds: 0 });
    await expect(token()).rejects.toBeInstanceOf(HealthTokenMissingError);
    expect(calls()).toEqual({ one: before.one + 1, together: before.together + 1 });
  });

  it('names outside the set, and reads without decryption, go to SSM alone', async () => {
    sim.model.parameters.put({ name: '/healthgate/web/policy', value: '{}', type: 'String' });
    const ssm = readParametersTogether(createSsmAdapter(), [TOKEN, KEY], { ttlMs: 60_000 });
    const before = calls();
    expect(await ssm.getParameter('/healthgate/web/policy')).toBe('{}');
    expect(await ssm.getParameter(TOKEN, { decrypt: false })).not.toBe('token-123');
    expect(calls()).toEqual({ one: before.one + 2, together: before.together });
  });

  it('a failed read is not kept: the next read asks again', async () => {
    const found = new Map<string, Parameter>([[TOKEN, { name: TOKEN, value: 't' }]]);
    const getParameters = vi.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValue(found);
    const ssm = readParametersTogether({ getParameter: vi.fn(), getParameters }, [TOKEN, KEY], {
      ttlMs: 60_000,
    });
    await expect(ssm.getParameter(TOKEN)).rejects.toThrow('throttled');
    expect(await ssm.getParameter(TOKEN)).toBe('t');
    expect(getParameters).toHaveBeenCalledTimes(2);
  });

  it('one name, or more than GetParameters takes, leaves the adapter as it was', () => {
    const adapter = createSsmAdapter();
    expect(readParametersTogether(adapter, [TOKEN], { ttlMs: 1 })).toBe(adapter);
    expect(readParametersTogether(adapter, [TOKEN, TOKEN], { ttlMs: 1 })).toBe(adapter);
    const eleven = Array.from({ length: 11 }, (_, i) => `/p/${i}`);
    expect(readParametersTogether(adapter, eleven, { ttlMs: 1 })).toBe(adapter);
  });
});
