/**
 * Per-container caching of the settings the gate reads at the first step of every launch and that change only
 * when an operator changes them: a group's lifecycle hooks, a classic load balancer's health check, target
 * groups' health checks. Decision inputs that change by the second (group membership, lifecycle and instance
 * states, the load balancers' verdicts) are never cached.
 */
import type { AutoScalingAdapter, LifecycleHookDescription } from './autoscaling';
import type { ClassicHealthCheck, ElbAdapter } from './elb';
import type { ElbV2Adapter, TargetGroupHealthCheck } from './elbv2';
import { createTtlCache } from './ttl-cache';

/** Wraps the three settings reads of `adapters` with caches of `ttlMs` (0: no cache); every other call passes through. */
export function cacheSettingsReads<
  A extends Pick<AutoScalingAdapter, 'describeLifecycleHooks'>,
  E extends Pick<ElbAdapter, 'describeHealthCheck'>,
  V extends Pick<ElbV2Adapter, 'describeTargetGroups'>,
>(adapters: { autoscaling: A; elb: E; elbv2: V }, options: { ttlMs: number; now?: () => number }) {
  const hooks = createTtlCache<LifecycleHookDescription[]>(options);
  const classic = createTtlCache<ClassicHealthCheck>(options);
  const groups = createTtlCache<TargetGroupHealthCheck[]>(options);
  return {
    autoscaling: {
      ...adapters.autoscaling,
      describeLifecycleHooks: (group: string) =>
        hooks.get(group, () => adapters.autoscaling.describeLifecycleHooks(group)),
    },
    elb: {
      ...adapters.elb,
      describeHealthCheck: (name: string) => classic.get(name, () => adapters.elb.describeHealthCheck(name)),
    },
    elbv2: {
      ...adapters.elbv2,
      describeTargetGroups: (arns: readonly string[]) =>
        groups.get(JSON.stringify([...arns].sort()), () => adapters.elbv2.describeTargetGroups(arns)),
    },
  };
}
