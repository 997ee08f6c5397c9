import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, distrustState, isFinal, parseGateState, recordProbe } from '../../../shared/gate';
import {
  canonicalJson,
  createStateKeySource,
  parseStateKeys,
  StateKeyInvalidError,
  seal,
  verifySeal,
} from '../../../shared/launch/state-seal';
import { ID, pass, policy, T0 } from '../gate/fixtures';

const SECRET = 'a'.repeat(16) + 'b'.repeat(16);
const OTHER = 'c'.repeat(40);
const keys = parseStateKeys('/k', SECRET);

describe('parseStateKeys', () => {
  it('takes one secret per line, the first sealing, each named by a fingerprint', () => {
    const two = parseStateKeys('/k', `\n${OTHER}\r\n  ${SECRET}  \n\n`);
    expect(two.accepted.map((k) => k.secret)).toEqual([OTHER, SECRET]);
    expect(two.seal.secret).toBe(OTHER);
    expect(two.seal.id).toMatch(/^[0-9a-f]{16}$/);
    expect(two.seal.id).not.toContain(OTHER.slice(0, 8));
  });

  const refused: [string, string | undefined, RegExp][] = [
    ['missing', undefined, /does not exist/],
    ['empty', '  \n ', /is empty/],
    ['too short', `${SECRET}\nshort`, /secret 2 has 5 characters/],
    ['too many', Array.from({ length: 5 }, () => SECRET).join('\n'), /lists 5 secrets, at most 4/],
  ];
  for (const [name, value, message] of refused) {
    it(`refuses a value that is ${name}, naming the parameter, never the value`, () => {
      try {
        parseStateKeys('/gate/key', value);
        throw new Error('expected a refusal');
      } catch (error) {
        expect(error).toBeInstanceOf(StateKeyInvalidError);
        expect((error as Error).message).toMatch(message);
        expect((error as Error).message).toContain('/gate/key');
        expect((error as Error).message).not.toContain(SECRET);
      }
    });
  }

  it('reads the SecureString decrypted, once per cache period', async () => {
    const calls: unknown[] = [];
    const source = createStateKeySource({
      ssm: {
        getParameter: async (name, options) => {
          calls.push([name, options]);
          return SECRET;
        },
      },
      parameterName: '/gate/key',
      cacheSeconds: 60,
      now: () => 0,
    });
    await source();
    await source();
    expect(calls).toEqual([['/gate/key', { decrypt: true }]]);
    await expect(
      createStateKeySource({ ssm: { getParameter: async () => '' }, cacheSeconds: 0 })(),
    ).resolves.toBe(undefined);
  });
});

describe('seal and verifySeal', () => {
  const payload = {
    phase: 'gate',
    action: { group: 'g', instanceId: ID },
    state: { probes: 2, history: [1, 2] },
  };

  it('verifies its own seal, whatever order a transport keeps the keys in', () => {
    const s = seal(payload, keys.seal);
    const reordered = {
      state: { history: [1, 2], probes: 2 },
      action: { instanceId: ID, group: 'g' },
      phase: 'gate',
    };
    expect(verifySeal(reordered, s, keys)).toBe(true);
    expect(canonicalJson(reordered)).toBe(canonicalJson(payload));
  });

  it('verifies with any listed secret during a rotation, and refuses a removed one', () => {
    const old = seal(payload, parseStateKeys('/k', OTHER).seal);
    expect(verifySeal(payload, old, parseStateKeys('/k', `${SECRET}\n${OTHER}`))).toBe(true);
    expect(verifySeal(payload, old, keys)).toBe(false);
  });

  it('refuses anything that is not a seal', () => {
    for (const bad of [undefined, null, 'x', 1, {}, { kid: keys.seal.id }, { kid: 1, mac: 'x' }]) {
      expect(verifySeal(payload, bad, keys)).toBe(false);
    }
  });

  it('property: any change to a sealed payload breaks the seal', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(json, json, (a, b) => {
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        expect(verifySeal(b, seal(a, keys.seal), keys)).toBe(false);
      }),
    );
  });
});

describe('distrustState', () => {
  it('property: an unsealed state never continues, whatever it claims', () => {
    const p = policy({ healthyThreshold: 3, intervalSeconds: 5, deadlineSeconds: 600 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 500 }), (passes, offset) => {
        let state = parseGateState({
          v: 1,
          instanceId: ID,
          startedAt: T0,
          lastHeartbeatAt: T0 + offset * 1000,
          probes: passes,
          handovers: 1,
          history: [],
        });
        for (let i = 0; i < Math.min(passes, 16); i++) state = recordProbe(state, pass(i));
        const distrusted = distrustState(state);
        expect(distrusted.history).toEqual([]);
        expect(distrusted.lastHeartbeatAt).toBe(T0);
        expect(distrusted.startedAt).toBe(state.startedAt);
        const decision = decide({ policy: p, state: distrusted, now: T0 + offset * 1000 });
        expect(decision.action === 'CONTINUE' && isFinal(decision)).toBe(false);
        // One fresh pass is never enough on a distrusted state.
        expect(
          decide({ policy: p, state: recordProbe(distrusted, pass(offset)), now: T0 + offset * 1000 }).action,
        ).not.toBe('CONTINUE');
      }),
    );
  });
});
