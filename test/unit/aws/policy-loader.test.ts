import { describe, expect, it, vi } from 'vitest';
import { PolicyInvalidError } from '../../../shared/aws/errors';
import { createPolicyLoader, policyParameterName } from '../../../shared/aws/policy-loader';
import { createTtlCache } from '../../../shared/aws/ttl-cache';

function fakeSsm(values: Record<string, string>, type = 'String') {
  return {
    getParameterEntry: vi.fn(async (name: string, _options?: { decrypt?: boolean }) => {
      const value = values[name];
      return value === undefined ? undefined : { name, value, type };
    }),
  };
}

const parse = (value: unknown) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('policy must be an object');
  }
  return value as { port?: number };
};

describe('policy loader', () => {
  it('reads <prefix>/<group>/policy and caches it for the TTL', async () => {
    let now = 1_000;
    const ssm = fakeSsm({ '/hg/web/policy': '{"port":8080}' });
    const loader = createPolicyLoader({ ssm, parse, prefix: '/hg', cacheSeconds: 30, now: () => now });
    await expect(loader.load('web')).resolves.toEqual({
      parameterName: '/hg/web/policy',
      policy: { port: 8080 },
    });
    now += 29_999;
    await loader.load('web');
    expect(ssm.getParameterEntry).toHaveBeenCalledTimes(1);
    expect(ssm.getParameterEntry).toHaveBeenCalledWith('/hg/web/policy', { decrypt: true });
    now += 1;
    await loader.load('web');
    expect(ssm.getParameterEntry).toHaveBeenCalledTimes(2);
  });

  it('uses /healthgate by default, and reports a missing policy as undefined (cached too)', async () => {
    const ssm = fakeSsm({});
    const loader = createPolicyLoader({ ssm, parse, now: () => 0 });
    await expect(loader.load('web')).resolves.toEqual({
      parameterName: '/healthgate/web/policy',
      policy: undefined,
    });
    await loader.load('web');
    expect(ssm.getParameterEntry).toHaveBeenCalledTimes(1);
  });

  it('fails closed on invalid JSON and on a rejected policy, and does not cache the failure', async () => {
    const ssm = fakeSsm({ '/healthgate/a/policy': '{nope', '/healthgate/b/policy': '[1]' });
    const loader = createPolicyLoader({ ssm, parse, now: () => 0 });
    const a = (await loader.load('a').catch((e: unknown) => e)) as PolicyInvalidError;
    expect(a).toBeInstanceOf(PolicyInvalidError);
    expect(a.context).toEqual({ parameterName: '/healthgate/a/policy', groupName: 'a' });
    const b = (await loader.load('b').catch((e: unknown) => e)) as PolicyInvalidError;
    expect(b.message).toBe(
      'policy parameter /healthgate/b/policy (String) is JSON but not a valid policy: policy must be an object',
    );
    await loader.load('b').catch(() => undefined);
    expect(ssm.getParameterEntry).toHaveBeenCalledTimes(3);
  });

  it('reads decrypted, and names the parameter and its type, never the value, when it is not JSON', async () => {
    const secret = 'AQICAHh-not-json-s3cr3t';
    const ssm = fakeSsm({ '/healthgate/web/policy': secret }, 'SecureString');
    const loader = createPolicyLoader({ ssm, parse, now: () => 0 });
    const error = (await loader.load('web').catch((e: unknown) => e)) as PolicyInvalidError;
    expect(ssm.getParameterEntry).toHaveBeenCalledWith('/healthgate/web/policy', { decrypt: true });
    expect(error).toBeInstanceOf(PolicyInvalidError);
    expect(error.message).toBe(
      'policy parameter /healthgate/web/policy (SecureString) is not JSON (unexpected character)',
    );
    // Nothing reachable from the error quotes the value (JSON.parse's own message would).
    expect(
      JSON.stringify({ message: error.message, cause: String(error.cause), stack: error.stack }),
    ).not.toMatch(/AQICAH|s3cr3t/);
  });

  it('says when the value ends too early', async () => {
    const loader = createPolicyLoader({ ssm: fakeSsm({ '/healthgate/web/policy': '{"port":' }), parse });
    await expect(loader.load('web')).rejects.toThrow(
      'policy parameter /healthgate/web/policy (String) is not JSON (it ends too early)',
    );
  });

  it('cacheSeconds 0 reads every time', async () => {
    const ssm = fakeSsm({});
    const loader = createPolicyLoader({ ssm, parse, cacheSeconds: 0 });
    await loader.load('web');
    await loader.load('web');
    expect(ssm.getParameterEntry).toHaveBeenCalledTimes(2);
  });

  it('builds the parameter name without a doubled slash', () => {
    expect(policyParameterName('/healthgate/', 'web')).toBe('/healthgate/web/policy');
  });
});

describe('ttl cache', () => {
  it('shares one load between concurrent callers', async () => {
    const cache = createTtlCache<number>({ ttlMs: 1000, now: () => 0 });
    const load = vi.fn(async () => 42);
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a, b]).toEqual([42, 42]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('drops the oldest entries beyond maxEntries', async () => {
    const cache = createTtlCache<string>({ ttlMs: 1000, now: () => 0, maxEntries: 2 });
    const load = vi.fn(async () => 'v');
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load);
    await cache.get('a', load);
    expect(load).toHaveBeenCalledTimes(4);
  });
});
