import { describe, expect, it } from 'vitest';
import {
  classifyLbView,
  firstLbReadDelaySeconds,
  judgeViews,
  LbHealth,
  type LbView,
  lbSettleSeconds,
  lbWatchNext,
} from '../../../shared/gate';

/** The gate's reading of one view: a clear failure is unhealthy, healthy is healthy, anything else pending. */
const classifyView = (view: LbView) =>
  ({ [LbHealth.healthy]: 'healthy', [LbHealth.failed]: 'unhealthy' })[classifyLbView(view) as string] ??
  'pending';

describe('load balancer verdict', () => {
  const classic = (state: string, reason?: string, description?: string): LbView => ({
    kind: 'classic',
    name: 'lb',
    state,
    ...(reason ? { reason } : {}),
    ...(description ? { description } : {}),
  });
  const tg = (state: string): LbView => ({ kind: 'target-group', name: 'tg', state });

  it.each([
    [classic('InService'), 'healthy'],
    [classic('OutOfService', 'ELB', 'Instance registration is still in progress.'), 'pending'],
    [
      classic(
        'OutOfService',
        'Instance',
        'Instance has not passed the configured HealthyThreshold number of health checks consecutively.',
      ),
      'pending',
    ],
    [
      classic(
        'OutOfService',
        'Instance',
        'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.',
      ),
      'unhealthy',
    ],
    [classic('Unknown', 'NotRegistered'), 'pending'],
    [tg('healthy'), 'healthy'],
    [tg('initial'), 'pending'],
    [tg('unused'), 'pending'],
    [tg('unhealthy'), 'unhealthy'],
    [tg('unhealthy.draining'), 'unhealthy'],
    [tg('unavailable'), 'pending'],
  ] as const)('%o is %s', (view, verdict) => {
    expect(classifyView(view)).toBe(verdict);
  });

  it('is healthy only when every load balancer says so, unhealthy when any does', () => {
    expect(judgeViews([])).toBe('healthy');
    expect(judgeViews([classic('InService'), tg('healthy')])).toBe('healthy');
    expect(judgeViews([classic('InService'), tg('initial')])).toBe('pending');
    expect(judgeViews([tg('initial'), tg('unhealthy')])).toBe('unhealthy');
  });
});

describe('classifyLbView: one reading for the gate, the rollback check and the deploy driver', () => {
  it.each([
    [
      {
        kind: 'classic',
        name: 'lb',
        state: 'OutOfService',
        description: 'Instance registration is still in progress.',
      },
      'registering',
    ],
    [{ kind: 'classic', name: 'lb', state: 'Unknown', reason: 'NotRegistered' }, 'registering'],
    [
      {
        kind: 'classic',
        name: 'lb',
        state: 'OutOfService',
        reason: 'Instance',
        description:
          'Instance has not passed the configured HealthyThreshold number of health checks consecutively.',
      },
      'registering',
    ],
    [
      {
        kind: 'classic',
        name: 'lb',
        state: 'OutOfService',
        reason: 'ELB',
        description: 'Instance is in stopped state.',
      },
      'other',
    ],
    [{ kind: 'target-group', name: 'tg', state: 'draining' }, 'other'],
    [{ kind: 'target-group', name: 'tg', state: 'initial' }, 'registering'],
  ] as const)('%o is %s', (view, health) => {
    expect(classifyLbView(view)).toBe(health);
  });
});

describe('lbWatchNext', () => {
  it.each([
    ['healthy', 5, 10, 'verified'],
    ['healthy', 15, 10, 'verified'],
    ['unhealthy', 5, 10, 'disagrees'],
    ['pending', 5, 10, 'wait'],
    ['pending', 10, 10, 'disagrees'],
    ['pending', Number.NaN, 10, 'disagrees'],
  ] as const)('%s at %d (until %d) → %s', (verdict, now, until, next) => {
    expect(lbWatchNext({ verdict, now, until })).toBe(next);
  });
});

describe('the first read of the watch', () => {
  it('waits for the slowest load balancer to be able to say healthy, at most half the watch', () => {
    const checks = [
      { intervalSeconds: 15, healthyThreshold: 2 },
      { intervalSeconds: 5, healthyThreshold: 5 },
      { timeoutSeconds: 5 },
    ];
    expect(lbSettleSeconds(checks)).toBe(30);
    expect(lbSettleSeconds([])).toBe(0);
    expect(firstLbReadDelaySeconds(30, { intervalSeconds: 5, lbVerifySeconds: 300 })).toBe(30);
    expect(firstLbReadDelaySeconds(60, { intervalSeconds: 2, lbVerifySeconds: 20 })).toBe(10);
    expect(firstLbReadDelaySeconds(0, { intervalSeconds: 5, lbVerifySeconds: 300 })).toBe(5);
    expect(firstLbReadDelaySeconds(0, { intervalSeconds: 0.5, lbVerifySeconds: 300 })).toBe(1);
  });
});
