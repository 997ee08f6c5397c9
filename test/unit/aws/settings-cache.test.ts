import { describe, expect, it } from 'vitest';
import type { AutoScalingAdapter } from '../../../shared/aws/autoscaling';
import type { ElbAdapter } from '../../../shared/aws/elb';
import type { ElbV2Adapter } from '../../../shared/aws/elbv2';
import { cacheSettingsReads } from '../../../shared/aws/settings-cache';

function counting() {
  const calls: string[] = [];
  const autoscaling = {
    describeLifecycleHooks: async (group: string) => {
      calls.push(`hooks ${group}`);
      return [];
    },
    describeGroup: async (name: string) => {
      calls.push(`group ${name}`);
      return { name } as never;
    },
  } as Pick<AutoScalingAdapter, 'describeLifecycleHooks' | 'describeGroup'>;
  const elb = {
    describeHealthCheck: async (name: string) => {
      calls.push(`lb ${name}`);
      return { target: 'HTTP:80/health' } as never;
    },
    describeInstanceHealth: async (name: string) => {
      calls.push(`health ${name}`);
      return [];
    },
  } as Pick<ElbAdapter, 'describeHealthCheck' | 'describeInstanceHealth'>;
  const elbv2 = {
    describeTargetGroups: async (arns: readonly string[]) => {
      calls.push(`tgs ${arns.join(',')}`);
      return [];
    },
    describeTargetHealth: async () => {
      calls.push('target health');
      return [];
    },
  } as unknown as ElbV2Adapter;
  return { calls, adapters: { autoscaling, elb, elbv2 } };
}

describe('cacheSettingsReads', () => {
  it('reads hooks and health-check settings once per TTL, and everything else every time', async () => {
    let t = 0;
    const { calls, adapters } = counting();
    const cached = cacheSettingsReads(adapters, { ttlMs: 60_000, now: () => t });
    for (let i = 0; i < 3; i++) {
      await cached.autoscaling.describeLifecycleHooks('web');
      await cached.elb.describeHealthCheck('web-elb');
      await cached.elbv2.describeTargetGroups(['b', 'a']);
      await cached.elbv2.describeTargetGroups(['a', 'b']);
      await cached.autoscaling.describeGroup('web');
      await cached.elb.describeInstanceHealth('web-elb');
      await cached.elbv2.describeTargetHealth('a', []);
    }
    expect(calls.filter((c) => c.startsWith('hooks'))).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith('lb '))).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith('tgs'))).toHaveLength(1);
    // Membership and the load balancers' verdicts are decision inputs: never cached.
    expect(calls.filter((c) => c.startsWith('group'))).toHaveLength(3);
    expect(calls.filter((c) => c.startsWith('health'))).toHaveLength(3);
    expect(calls.filter((c) => c === 'target health')).toHaveLength(3);
    t = 60_000;
    await cached.autoscaling.describeLifecycleHooks('web');
    expect(calls.filter((c) => c.startsWith('hooks'))).toHaveLength(2);
  });

  it('caches nothing with a TTL of 0', async () => {
    const { calls, adapters } = counting();
    const cached = cacheSettingsReads(adapters, { ttlMs: 0 });
    await cached.autoscaling.describeLifecycleHooks('web');
    await cached.autoscaling.describeLifecycleHooks('web');
    expect(calls).toEqual(['hooks web', 'hooks web']);
  });
});
