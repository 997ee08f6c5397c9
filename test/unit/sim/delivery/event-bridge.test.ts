/**
 * The lifecycle rule's SQS target: each matching event's JSON is the message body, duplicates arrive as a second
 * message, and a missing queue is recorded as a refused delivery.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deliverLifecycleEvents } from '../../../../sim/delivery/event-bridge';
import type { LifecycleEvent } from '../../../../sim/events';
import { ControlPlane } from '../../../../sim/model/control-plane';
import { seededRandom } from '../../../../sim/model/ids';

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  stop = undefined;
});

const launchEvent = (instanceId: string, group = 'web'): LifecycleEvent => ({
  version: '0',
  id: `evt-${instanceId}`,
  'detail-type': 'EC2 Instance-launch Lifecycle Action',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [`arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x:autoScalingGroupName/${group}`],
  detail: {
    LifecycleActionToken: '11111111-2222-4333-8444-555555555555',
    AutoScalingGroupName: group,
    LifecycleHookName: 'gate',
    EC2InstanceId: instanceId,
    LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
    Origin: 'EC2',
    Destination: 'AutoScalingGroup',
  },
});

describe('EventBridge delivery to an SQS queue', () => {
  it('sends the event JSON as the message body; duplicates are second messages', async () => {
    const cp = new ControlPlane({ random: seededRandom(1) });
    const queue = cp.queues.create('steps');
    const rule = deliverLifecycleEvents({
      events: cp.events,
      queues: cp.queues,
      target: { kind: 'sqs', queueArn: queue.arn },
      duplicates: { rate: 1, delayMs: 5 },
      groupNames: ['web'],
    });
    stop = () => rule.stop();
    const event = launchEvent('i-0123456789abcdef0');
    cp.events.emit('lifecycle', event);
    cp.events.emit('lifecycle', launchEvent('i-0fedcba9876543210', 'other'));
    await rule.settle();
    expect(rule.deliveries.map((d) => [d.target, d.copy, d.instanceId])).toEqual([
      [queue.arn, 1, 'i-0123456789abcdef0'],
      [queue.arn, 2, 'i-0123456789abcdef0'],
    ]);
    const messages = await queue.receive({ max: 10, waitSeconds: 0 });
    expect(messages.map((m) => JSON.parse(m.body) as unknown)).toEqual([event, event]);
    expect(new Set(messages.map((m) => m.messageId)).size).toBe(2);
    expect(rule.deliveries.map((d) => d.messageId)).toEqual(messages.map((m) => m.messageId));
    cp.stop();
  });

  it('a queue that is gone is a refused delivery, recorded', async () => {
    const cp = new ControlPlane({ random: seededRandom(2) });
    const rule = deliverLifecycleEvents({
      events: cp.events,
      queues: cp.queues,
      target: { kind: 'sqs', queueArn: 'arn:aws:sqs:us-east-1:123456789012:missing' },
    });
    stop = () => rule.stop();
    cp.events.emit('lifecycle', launchEvent('i-0123456789abcdef0'));
    await rule.settle();
    expect(rule.deliveries).toEqual([
      expect.objectContaining({ copy: 1, error: 'no queue arn:aws:sqs:us-east-1:123456789012:missing' }),
    ]);
    cp.stop();
  });
});
