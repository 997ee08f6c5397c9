import { describe, expect, it } from 'vitest';
import { classifyEvent, EventKind } from '../../../shared/launch/event';

const TOKEN = '5f8e7c9a-1b2c-4d3e-8f9a-0b1c2d3e4f5a';

function launchEvent(detail: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: 'e-1',
    'detail-type': 'EC2 Instance-launch Lifecycle Action',
    source: 'aws.autoscaling',
    account: '123456789012',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      LifecycleActionToken: TOKEN,
      AutoScalingGroupName: 'web-blue',
      LifecycleHookName: 'healthgate',
      EC2InstanceId: 'i-0123456789abcdef0',
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      Origin: 'EC2',
      Destination: 'AutoScalingGroup',
      ...detail,
    },
    ...envelope,
  };
}

describe('classifyEvent', () => {
  it('gates a launch into the group', () => {
    expect(classifyEvent(launchEvent())).toEqual({
      kind: EventKind.gate,
      action: { group: 'web-blue', hook: 'healthgate', token: TOKEN, instanceId: 'i-0123456789abcdef0' },
      eventTime: Date.parse('2026-01-01T00:00:00Z'),
      origin: 'EC2',
    });
  });

  it('gates an instance leaving the warm pool, continues one entering it', () => {
    expect(classifyEvent(launchEvent({ Origin: 'WarmPool', Destination: 'AutoScalingGroup' })).kind).toBe(
      'gate',
    );
    expect(classifyEvent(launchEvent({ Origin: 'EC2', Destination: 'WarmPool' })).kind).toBe('warm-pool');
  });

  it('recognises test notifications in either shape', () => {
    expect(
      classifyEvent({ source: 'aws.autoscaling', detail: { Event: 'autoscaling:TEST_NOTIFICATION' } }),
    ).toEqual({
      kind: 'test-notification',
    });
    expect(
      classifyEvent(
        launchEvent({ LifecycleTransition: 'autoscaling:TEST_NOTIFICATION', LifecycleActionToken: 'x' }),
      ),
    ).toEqual({ kind: 'test-notification', group: 'web-blue' });
  });

  it('does not gate other transitions or detail types', () => {
    const terminate = classifyEvent(
      launchEvent(
        { LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' },
        { 'detail-type': 'EC2 Instance-terminate Lifecycle Action' },
      ),
    );
    expect(terminate.kind).toBe('not-gated');
  });

  it('names every malformed field', () => {
    const result = classifyEvent(
      launchEvent({ EC2InstanceId: 'web-1', LifecycleHookName: '' }, { time: 'yesterday' }),
    );
    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    expect(result.errors.join('\n')).toMatch(/^time: /m);
    expect(result.errors.join('\n')).toMatch(/^detail\.EC2InstanceId: must be an EC2 instance id/m);
    expect(result.errors.join('\n')).toMatch(/^detail\.LifecycleHookName: /m);
    expect(result.group).toBe('web-blue');
    // The hook name is unusable, so the action cannot be completed.
    expect(result.action).toBeUndefined();
  });

  it('keeps a completable action of a malformed launch event (fail closed), without a bad instance id', () => {
    const result = classifyEvent(launchEvent({ EC2InstanceId: 'nope' }));
    expect(result).toMatchObject({
      kind: 'invalid',
      action: { group: 'web-blue', hook: 'healthgate', token: TOKEN },
    });
    if (result.kind === 'invalid') expect(result.action).not.toHaveProperty('instanceId');
  });

  it('keeps no action for an event that is not a launch lifecycle action', () => {
    const result = classifyEvent(launchEvent({ EC2InstanceId: 'nope' }, { source: 'custom.app' }));
    expect(result).toMatchObject({ kind: 'invalid' });
    if (result.kind === 'invalid') {
      expect(result.action).toBeUndefined();
      expect(result.errors.join()).toContain('source');
    }
  });

  it('rejects what is not an object at all', () => {
    for (const raw of [null, 'x', 42, []]) {
      const result = classifyEvent(raw);
      expect(result.kind).toBe('invalid');
    }
  });
});
