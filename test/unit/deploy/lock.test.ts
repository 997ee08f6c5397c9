import { describe, expect, it } from 'vitest';
import {
  acquireDeployLock,
  type DeployLockDeps,
  DeployLockHeldError,
  DeployLockLostError,
  deployLockParameter,
} from '../../../shared/deploy';

/** SSM's semantics for one parameter: create-if-absent is atomic, overwrite and delete are not conditional. */
function store(now: { t: number }): DeployLockDeps & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    now: () => now.t,
    ssm: { getParameter: async (name) => values.get(name) },
    parameters: {
      createIfAbsent: async (name, value) => {
        if (values.has(name)) return false;
        values.set(name, value);
        return true;
      },
      overwrite: async (name, value) => void values.set(name, value),
      deleteParameter: async (name) => void values.delete(name),
    },
  };
}

const PARAM = deployLockParameter('/healthgate/', 'web-v1');
const options = (deployId: string) => ({
  parameter: PARAM,
  deployId,
  owner: `ops pid ${deployId}`,
  leaseMs: 60_000,
});

describe('deploy lock', () => {
  it('lives beside the serving group policy', () => {
    expect(PARAM).toBe('/healthgate/web-v1/deploy-lock');
  });

  it('is held by one deploy at a time; the second is refused naming the holder', async () => {
    const clock = { t: 0 };
    const deps = store(clock);
    const first = await acquireDeployLock(deps, { ...options('a'), newGroup: 'web-v2' });
    await expect(acquireDeployLock(deps, options('b'))).rejects.toThrow(DeployLockHeldError);
    await expect(acquireDeployLock(deps, options('b'))).rejects.toThrow(/ops pid a \(making web-v2\)/);
    await first.release();
    expect(deps.values.has(PARAM)).toBe(false);
    const second = await acquireDeployLock(deps, options('b'));
    expect(second.holder.deployId).toBe('b');
  });

  it("renews its lease; an expired lease is taken over, and the old holder finds it lost and does not release the new one's", async () => {
    const clock = { t: 0 };
    const deps = store(clock);
    const first = await acquireDeployLock(deps, options('a'));
    clock.t = 50_000;
    await first.renew();
    clock.t = 100_000;
    await expect(acquireDeployLock(deps, options('b'))).rejects.toThrow(DeployLockHeldError);
    clock.t = 200_000;
    const second = await acquireDeployLock(deps, options('b'));
    await expect(first.renew()).rejects.toThrow(DeployLockLostError);
    await first.release();
    expect(JSON.parse(deps.values.get(PARAM)!)).toMatchObject({ deployId: 'b' });
    await second.release();
    expect(deps.values.has(PARAM)).toBe(false);
  });

  it('refuses to take over a parameter that is not a lock', async () => {
    const deps = store({ t: 0 });
    deps.values.set(PARAM, 'something else');
    await expect(acquireDeployLock(deps, options('a'))).rejects.toThrow(
      /is not a deploy lock; if no deploy is running, delete it/,
    );
  });
});
