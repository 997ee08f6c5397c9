import { AutoScalingClient, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createAutoScalingAdapter } from '../../../shared/aws/autoscaling';
import { createSsmAdapter } from '../../../shared/aws/ssm';
import { countAbandonedLaunches } from '../../../shared/launch/abandons';
import { parseContinuation } from '../../../shared/launch/continuation';
import { createHealthTokenSource, HealthTokenMissingError } from '../../../shared/launch/health-token';
import { judgeView, judgeViews, type LbTargetView } from '../../../shared/launch/lb-verdict';
import { HOOK, INSTANCE, TOKEN } from './harness';

const action = { group: 'web-blue', hook: HOOK, token: TOKEN, instanceId: INSTANCE };

describe('parseContinuation', () => {
  it('accepts both phases', () => {
    expect(
      parseContinuation({ healthgate: 'continuation', v: 1, phase: 'gate', action, state: { any: 1 } }).ok,
    ).toBe(true);
    const verify = { eventTime: 1, continuedAt: 2, until: 3, intervalMs: 1000, handovers: 0 };
    expect(
      parseContinuation({ healthgate: 'continuation', v: 1, phase: 'lb-verify', action, verify }).ok,
    ).toBe(true);
  });

  it('names what is wrong and keeps a well-formed action', () => {
    const result = parseContinuation({ healthgate: 'continuation', v: 2, phase: 'gate', action, state: {} });
    expect(result).toMatchObject({ ok: false, action });
    if (!result.ok) expect(result.errors.join()).toContain('v');
    const noAction = parseContinuation({
      healthgate: 'continuation',
      v: 1,
      phase: 'gate',
      action: { ...action, token: 'x' },
    });
    expect(noAction.ok).toBe(false);
    if (!noAction.ok) expect(noAction.action).toBeUndefined();
  });

  it('refuses unknown fields (nothing extra rides along, e.g. a URL)', () => {
    const result = parseContinuation({
      healthgate: 'continuation',
      v: 1,
      phase: 'gate',
      action,
      state: {},
      url: 'http://169.254.169.254/',
    });
    expect(result.ok).toBe(false);
  });
});

describe('load balancer verdict', () => {
  const classic = (state: string, reason?: string, description?: string): LbTargetView => ({
    kind: 'classic',
    name: 'lb',
    state,
    ...(reason ? { reason } : {}),
    ...(description ? { description } : {}),
  });
  const tg = (state: string): LbTargetView => ({ kind: 'target-group', name: 'tg', state });

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
    expect(judgeView(view)).toBe(verdict);
  });

  it('is healthy only when every load balancer says so, unhealthy when any does', () => {
    expect(judgeViews([])).toBe('healthy');
    expect(judgeViews([classic('InService'), tg('healthy')])).toBe('healthy');
    expect(judgeViews([classic('InService'), tg('initial')])).toBe('pending');
    expect(judgeViews([tg('initial'), tg('unhealthy')])).toBe('unhealthy');
  });
});

describe('countAbandonedLaunches', () => {
  it('counts launches cancelled by an abandoned lifecycle action, optionally since a time', async () => {
    const client = new AutoScalingClient({});
    const mock = mockClient(client);
    const abandoned = (id: string, at: string) => ({
      ActivityId: id,
      AutoScalingGroupName: 'web-green',
      Cause: 'launch',
      StartTime: new Date(at),
      StatusCode: 'Cancelled' as const,
      StatusMessage: `Instance failed to complete user's Lifecycle Action: Lifecycle Action with token ${TOKEN} was abandoned: Lifecycle Action Completed with ABANDON Result`,
    });
    mock.on(DescribeScalingActivitiesCommand).resolves({
      Activities: [
        abandoned('a1', '2026-01-01T00:10:00Z'),
        abandoned('a2', '2026-01-01T00:05:00Z'),
        {
          ActivityId: 'a3',
          AutoScalingGroupName: 'web-green',
          Cause: 'x',
          StartTime: new Date(0),
          StatusCode: 'Successful',
        },
        {
          ActivityId: 'a4',
          AutoScalingGroupName: 'web-green',
          Cause: 'x',
          StartTime: new Date(0),
          StatusCode: 'Cancelled',
          StatusMessage: 'Instance terminated',
        },
      ],
    });
    const autoscaling = createAutoScalingAdapter(client);
    expect(await countAbandonedLaunches(autoscaling, 'web-green')).toBe(2);
    expect(
      await countAbandonedLaunches(autoscaling, 'web-green', { since: new Date('2026-01-01T00:06:00Z') }),
    ).toBe(1);
    expect(mock.commandCalls(DescribeScalingActivitiesCommand)[0]?.args[0].input).toMatchObject({
      AutoScalingGroupName: 'web-green',
    });
  });
});

describe('createHealthTokenSource', () => {
  it('reads the SecureString once per TTL, decrypted, and fails when it is configured but missing', async () => {
    const client = new SSMClient({});
    const mock = mockClient(client);
    mock.on(GetParameterCommand, { Name: '/hg/token' }).resolves({ Parameter: { Value: 'tok' } });
    mock
      .on(GetParameterCommand, { Name: '/hg/missing' })
      .rejects(Object.assign(new Error('nf'), { name: 'ParameterNotFound' }));
    const ssm = createSsmAdapter(client);
    const source = createHealthTokenSource({ ssm, parameterName: '/hg/token', cacheSeconds: 60 });
    expect(await source()).toBe('tok');
    expect(await source()).toBe('tok');
    expect(mock.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(mock.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({
      Name: '/hg/token',
      WithDecryption: true,
    });

    const missing = createHealthTokenSource({ ssm, parameterName: '/hg/missing', cacheSeconds: 60 });
    await expect(missing()).rejects.toBeInstanceOf(HealthTokenMissingError);
    expect(await createHealthTokenSource({ ssm, cacheSeconds: 60 })()).toBeUndefined();
  });
});
