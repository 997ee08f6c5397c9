/**
 * The launch gate keeps its health token and state keys for SECRET_CACHE_SECONDS and reads them again as soon as
 * using them fails: a token the app refuses (it holds a newer one), a seal by a key the container has not read. A
 * failure that repeats costs at most one read per SECRET_MIN_REFRESH_MS.
 */
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SECRET_MIN_REFRESH_MS } from '../../../shared/aws/health-token';
import { readParametersTogether } from '../../../shared/aws/ssm';
import { createSecretCache } from '../../../shared/aws/ttl-cache';
import type { StepDeps } from '../../../shared/launch/deps';
import { checkSeal } from '../../../shared/launch/schedule';
import { createGateParameterReaders } from '../../../shared/launch/secrets';
import { createStateKeySource, parseStateKeys, seal } from '../../../shared/launch/state-seal';
import {
  createHarness,
  type FakeInstance,
  fakeClock,
  HEALTH_TOKEN,
  healthBody,
  launchEvent,
  startInstance,
  TOKEN_PARAMETER,
} from '../../support/launch-harness';

describe('createSecretCache', () => {
  it('serves the value for its TTL, drops it when called stale, and never more often than minRefreshMs', async () => {
    const clock = fakeClock(0);
    let loads = 0;
    const cache = createSecretCache({
      load: async () => ({ value: `v${++loads}` }),
      ttlMs: 300_000,
      minRefreshMs: 30_000,
      now: clock.now,
    });
    expect(await cache.read()).toBe('v1');
    clock.advance(10_000);
    expect(cache.stale()).toBe(false);
    expect(await cache.read()).toBe('v1');
    clock.advance(20_000);
    expect(cache.stale()).toBe(true);
    expect(await cache.read()).toBe('v2');
    // However often a use fails, one read per 30 s.
    for (let i = 0; i < 100; i++) cache.stale();
    expect(await cache.read()).toBe('v2');
    clock.advance(300_000);
    expect(await cache.read()).toBe('v3');
    expect(loads).toBe(3);
  });

  it('keeps no failed read', async () => {
    let fail = true;
    const cache = createSecretCache({
      load: async () => {
        if (fail) throw new Error('throttled');
        return { value: 'ok' };
      },
      ttlMs: 300_000,
      minRefreshMs: 30_000,
    });
    await expect(cache.read()).rejects.toThrow('throttled');
    fail = false;
    expect(await cache.read()).toBe('ok');
  });

  it("counts a value's age from when SSM answered it, not from when it was taken from a shared answer", async () => {
    const clock = fakeClock(0);
    let loads = 0;
    const cache = createSecretCache({
      // Each load takes its value from an answer SSM gave 200 s earlier.
      load: async () => ({ value: `v${++loads}`, readAt: clock.now() - 200_000 }),
      ttlMs: 300_000,
      minRefreshMs: 30_000,
      now: clock.now,
    });
    expect(await cache.read()).toBe('v1');
    clock.advance(99_000);
    expect(await cache.read()).toBe('v1');
    clock.advance(1_000);
    expect(await cache.read()).toBe('v2');
    // That answer is already 200 s old: a failed use drops it at once.
    expect(cache.stale()).toBe(true);
  });
});

describe("the gate's SSM readers as production wires them", () => {
  const POLICY = '/healthgate/web/policy';
  const TOKEN = '/healthgate/health-token';
  const KEY = '/healthgate-gate/state-key';
  const OLD_KEY = 'old-state-key-0123456789abcdef0123456789';
  const NEW_KEY = 'new-state-key-0123456789abcdef0123456789';

  function wired() {
    const clock = fakeClock(0);
    const values = new Map([
      [POLICY, '{}'],
      [TOKEN, 'token-1'],
      [KEY, OLD_KEY],
    ]);
    const batches: string[][] = [];
    const alone: string[] = [];
    const readers = createGateParameterReaders(
      {
        getParameters: async (names) => {
          batches.push([...names]);
          return {
            found: new Map(names.map((n) => [n, { name: n, value: values.get(n)! }])),
            missing: new Set(),
          };
        },
        getParameterEntry: async (name) => {
          alone.push(name);
          return { name, value: values.get(name)! };
        },
      },
      { healthTokenParameter: TOKEN, stateKeyParameter: KEY, secretCacheSeconds: 300 },
      clock.now,
    );
    return { clock, values, batches, alone, readers };
  }

  it('a cold container reads the policy and both secrets in one call, then keeps the secrets 300 s from it', async () => {
    const w = wired();
    expect(await w.readers.ssm.getParameter(POLICY)).toBe('{}');
    expect(await w.readers.healthToken()).toBe('token-1');
    expect((await w.readers.stateKeys())?.accepted).toHaveLength(1);
    expect(w.batches).toEqual([[POLICY, TOKEN, KEY]]);
    // The token is first used 250 s after the answer: it still expires 300 s after the answer.
    w.clock.advance(299_000);
    await w.readers.healthToken();
    expect(w.batches).toHaveLength(1);
    w.clock.advance(1_000);
    await w.readers.healthToken();
    await w.readers.stateKeys();
    expect(w.batches).toEqual([
      [POLICY, TOKEN, KEY],
      [TOKEN, KEY],
    ]);
    expect(w.alone).toEqual([]);
  });

  it('a refused token and an unknown key are read again in a new call, with the new values', async () => {
    const w = wired();
    await w.readers.healthToken();
    const before = await w.readers.stateKeys();
    w.values.set(TOKEN, 'token-2');
    w.values.set(KEY, `${NEW_KEY}\n${OLD_KEY}`);
    // Within 30 s of the answer, a refusal changes nothing.
    w.clock.advance(10_000);
    expect(w.readers.healthToken.refused?.()).toBe(false);
    expect(await w.readers.healthToken()).toBe('token-1');
    w.clock.advance(SECRET_MIN_REFRESH_MS);
    expect(w.readers.healthToken.refused?.()).toBe(true);
    expect(await w.readers.healthToken()).toBe('token-2');
    expect(w.batches).toHaveLength(2);
    // The keys were dropped from the shared answer with the token: a seal by the new key now verifies.
    const body = { healthgate: 'step', n: 1 };
    const sealed = { ...body, seal: seal(body, parseStateKeys(KEY, NEW_KEY).seal) };
    const deps = { stateKeys: w.readers.stateKeys } as unknown as StepDeps;
    w.clock.advance(SECRET_MIN_REFRESH_MS);
    expect(before?.accepted).toHaveLength(1);
    expect(await checkSeal(deps, sealed)).toEqual({ ok: true });
    expect(w.batches.length).toBeLessThanOrEqual(3);
  });
});

describe('readParametersTogether.forget', () => {
  it('drops the shared answer for its members only: the next read asks SSM again', async () => {
    const calls: string[][] = [];
    const ssm = readParametersTogether(
      {
        getParameters: async (names) => {
          calls.push([...names]);
          return {
            found: new Map(names.map((n) => [n, { name: n, value: `${n}@${calls.length}` }])),
            missing: new Set(),
          };
        },
        getParameterEntry: async () => {
          throw new Error('not read alone here');
        },
      },
      ['/t', '/k'],
      { ttlMs: 300_000 },
    );
    expect(await ssm.getParameter('/t')).toBe('/t@1');
    ssm.forget('/not-a-member');
    expect(await ssm.getParameter('/k')).toBe('/k@1');
    ssm.forget('/t');
    expect(await ssm.getParameter('/k')).toBe('/k@2');
    expect(calls).toEqual([
      ['/t', '/k'],
      ['/t', '/k'],
    ]);
  });
});

describe('a rotated health token', () => {
  let instance: FakeInstance;
  beforeEach(async () => {
    instance = await startInstance();
  });
  afterEach(async () => {
    await instance.close();
  });

  it('is read again once the app refuses the cached one, and the launch is continued', async () => {
    const NEW_TOKEN = 'health-token-rotated';
    // The app holds the new token: the old one gets the status only, as an unauthorised caller does.
    instance.reply(() => ({
      status: 200,
      body:
        instance.requests.at(-1)?.headers['x-health-token'] === NEW_TOKEN
          ? healthBody('pass')
          : { status: 'pass' },
    }));
    const h = createHarness(instance, { secretCacheSeconds: 300 });
    // The container read the old token before the rotation.
    expect(await h.deps.healthToken()).toBe(HEALTH_TOKEN);
    h.mocks.ssm
      .on(GetParameterCommand, { Name: TOKEN_PARAMETER })
      .resolves({ Parameter: { Value: NEW_TOKEN } });
    h.clock.advance(SECRET_MIN_REFRESH_MS);

    const outcome = await h.run(launchEvent());
    expect(outcome).toMatchObject({ outcome: 'decided', decision: { action: 'CONTINUE' } });
    const sent = instance.requests.map((r) => r.headers['x-health-token']);
    expect(sent[0]).toBe(HEALTH_TOKEN);
    expect(sent.slice(1).every((t) => t === NEW_TOKEN)).toBe(true);
    expect(h.mocks.ssm.commandCalls(GetParameterCommand, { Name: TOKEN_PARAMETER })).toHaveLength(2);
    expect(
      h.log.entries.some(
        (l) => l.message === 'health token not accepted: reading it again for the next probe',
      ),
    ).toBe(true);
  });

  it('an app that never names its instance costs one token read per 30 s, not one per probe', async () => {
    instance.reply(() => ({ status: 200, body: { status: 'pass' } }));
    const h = createHarness(instance, { secretCacheSeconds: 300 });
    const outcome = await h.run(launchEvent());
    expect(outcome).toMatchObject({ outcome: 'decided', decision: { action: 'ABANDON' } });
    // 60 s of probes every 2 s: ~30 probes, at most one read per 30 s plus the first.
    expect(instance.requests.length).toBeGreaterThan(20);
    expect(
      h.mocks.ssm.commandCalls(GetParameterCommand, { Name: TOKEN_PARAMETER }).length,
    ).toBeLessThanOrEqual(3);
  });
});

describe('an app that accepts the token but does not know its instance id yet', () => {
  it('is not taken for a refusal: the token is not read again', async () => {
    const instance = await startInstance();
    try {
      instance.reply(() => ({ status: 200, body: { ...healthBody('pass'), instanceId: undefined } }));
      const h = createHarness(instance, { secretCacheSeconds: 300 });
      await h.run(launchEvent());
      expect(instance.requests.length).toBeGreaterThan(20);
      expect(h.mocks.ssm.commandCalls(GetParameterCommand, { Name: TOKEN_PARAMETER })).toHaveLength(1);
    } finally {
      await instance.close();
    }
  });
});

describe('a rotated state key', () => {
  const OLD = 'old-state-key-0123456789abcdef0123456789';
  const NEW = 'new-state-key-0123456789abcdef0123456789';

  function keyedDeps(initial: string) {
    const clock = fakeClock(0);
    let value = initial;
    let reads = 0;
    const stateKeys = createStateKeySource({
      ssm: {
        getParameter: async () => {
          reads++;
          return value;
        },
      },
      parameterName: '/gate/state-key',
      cacheSeconds: 300,
      now: clock.now,
    });
    return {
      clock,
      deps: { stateKeys } as unknown as StepDeps,
      rotate: (next: string) => {
        value = next;
      },
      reads: () => reads,
    };
  }

  const sealedWith = (secret: string, body: Record<string, unknown>) => ({
    ...body,
    seal: seal(body, parseStateKeys('/gate/state-key', secret).seal),
  });

  it('a seal by a key the container has not read yet is verified after one read', async () => {
    const k = keyedDeps(OLD);
    const body = { healthgate: 'step', n: 1 };
    expect(await checkSeal(k.deps, sealedWith(OLD, body))).toEqual({ ok: true });
    k.rotate(`${NEW}\n${OLD}`);
    k.clock.advance(SECRET_MIN_REFRESH_MS);
    expect(await checkSeal(k.deps, sealedWith(NEW, body))).toEqual({ ok: true });
    expect(k.reads()).toBe(2);
  });

  it('a flood of seals naming unknown keys costs one read per 30 s, and none verifies', async () => {
    const k = keyedDeps(OLD);
    const body = { healthgate: 'step', n: 2 };
    await checkSeal(k.deps, sealedWith(OLD, body));
    k.clock.advance(SECRET_MIN_REFRESH_MS);
    for (let i = 0; i < 50; i++) {
      const forged = { ...body, seal: { kid: `forged-${i}`, mac: 'x'.repeat(43) } };
      expect(await checkSeal(k.deps, forged)).toEqual({ ok: false, why: 'the seal does not verify' });
    }
    expect(k.reads()).toBe(2);
    // A known key with a wrong MAC is not a rotation: no read at all.
    k.clock.advance(SECRET_MIN_REFRESH_MS);
    const wrong = sealedWith(OLD, { ...body, n: 3 });
    expect(await checkSeal(k.deps, { ...wrong, n: 4 })).toEqual({
      ok: false,
      why: 'the seal does not verify',
    });
    expect(k.reads()).toBe(2);
  });
});
