/**
 * The local stack with lifecycle events routed through the steps queue: EventBridge sends each event's JSON to
 * the queue, an event source mapping hands it to the gate function, whose own next steps (SendMessage with a
 * delay, to `STEP_QUEUE_URL`, through the real SQS client) come back the same way. A fake gate stands in for the
 * production one, and the default; invoking the function directly stays available.
 */
import { AutoScalingClient, CompleteLifecycleActionCommand } from '@aws-sdk/client-auto-scaling';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { LifecycleEvent } from '../../../sim/events';
import {
  GateDelivery,
  LAUNCH_GATE_FUNCTION,
  type LocalStack,
  startLocalStack,
} from '../../../sim/local-stack';
import { instanceIdOf } from '../../../sim/timeline';

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const group = (s: LocalStack, name: string, desired: number) => {
  s.sim.model.launchTemplates.create(`${name}-lt`, { ImageId: 'ami-x' });
  s.sim.model.autoscaling.createGroup({
    name,
    minSize: 0,
    maxSize: 10,
    desiredCapacity: desired,
    launchTemplate: { name: `${name}-lt` },
    hooks: [
      {
        hookName: 'gate',
        transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        heartbeatTimeout: 300,
        defaultResult: 'ABANDON',
      },
    ],
  });
};

/** A step names its instance as the gate's do (`action.instanceId`). */
interface Step {
  step: number;
  action: { instanceId: string };
  event: LifecycleEvent['detail'];
}

/**
 * A two-step gate: a lifecycle event schedules a step one second later; the step completes the action. A
 * message it cannot read is reported as a batch item failure.
 */
const twoStepGate = (log: { kind: string; instanceId: string; receiveCount: string }[]) => {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const sqs = new SQSClient({});
    const asg = new AutoScalingClient({});
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      const body = JSON.parse(record.body) as LifecycleEvent | Step;
      if ('detail-type' in body) {
        log.push({
          kind: 'event',
          instanceId: body.detail.EC2InstanceId,
          receiveCount: record.attributes.ApproximateReceiveCount,
        });
        const step: Step = { step: 1, action: { instanceId: body.detail.EC2InstanceId }, event: body.detail };
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: process.env.STEP_QUEUE_URL,
            MessageBody: JSON.stringify(step),
            DelaySeconds: 1,
          }),
        );
      } else if ('step' in body) {
        log.push({
          kind: 'step',
          instanceId: body.action.instanceId,
          receiveCount: record.attributes.ApproximateReceiveCount,
        });
        await asg.send(
          new CompleteLifecycleActionCommand({
            AutoScalingGroupName: body.event.AutoScalingGroupName,
            LifecycleHookName: body.event.LifecycleHookName,
            LifecycleActionToken: body.event.LifecycleActionToken,
            LifecycleActionResult: 'CONTINUE',
          }),
        );
      } else {
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
};

describe('local stack: lifecycle events through the steps queue', () => {
  it('EventBridge → queue → mapping → gate; the gate’s delayed step arrives through the same queue', async () => {
    const log: { kind: string; instanceId: string; receiveCount: string }[] = [];
    stack = await startLocalStack({
      seed: 31,
      gateDelivery: GateDelivery.queue,
      functions: { [LAUNCH_GATE_FUNCTION]: { handler: twoStepGate(log), options: { timeoutMs: 5000 } } },
    });
    const steps = stack.stepQueue!;
    expect(process.env.STEP_QUEUE_URL).toBe(steps.url);
    expect(steps.url).toBe(`${stack.endpoint}/123456789012/healthgate-launch-gate-steps`);
    expect(stack.sim.eventSourceMappings.describe(steps.mapping!.uuid)).toMatchObject({
      EventSourceArn: steps.arn,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
    const queue = stack.sim.model.queues.findByArn(steps.arn)!;
    expect(queue.settings).toMatchObject({
      visibilityTimeout: 5,
      redrivePolicy: { deadLetterTargetArn: steps.deadLetterArn, maxReceiveCount: 3 },
    });

    group(stack, 'g', 2);
    await stack.waitFor(
      () => stack!.sim.model.autoscaling.groupInstances('g').every((i) => i.lifecycleState === 'InService'),
      10_000,
      'both instances in service',
    );
    expect(stack.delivery!.deliveries.map((d) => [d.target, d.copy, typeof d.messageId])).toEqual([
      [steps.arn, 1, 'string'],
      [steps.arn, 1, 'string'],
    ]);
    const events = log.filter((l) => l.kind === 'event');
    const stepsRun = log.filter((l) => l.kind === 'step');
    expect(events).toHaveLength(2);
    expect(new Set(stepsRun.map((s) => s.instanceId))).toEqual(new Set(events.map((e) => e.instanceId)));
    // The step waited its delay: the event and the step are separate invocations at least a second apart.
    const invocations = stack.sim.functions.invocations;
    expect(invocations.every((r) => r.source === steps.mapping!.uuid)).toBe(true);
    expect(invocations.at(-1)!.startedAt - invocations[0]!.startedAt).toBeGreaterThanOrEqual(900);
    // The timeline names a batch's instance through its message bodies, when they all name the same one.
    for (const entry of stack.timeline.of('invocation-end')) {
      const bodies = (entry.record.event as SQSEvent).Records.map(
        (r) => JSON.parse(r.body) as { detail?: { EC2InstanceId: string }; action?: { instanceId: string } },
      );
      const named = new Set(bodies.map((b) => b.detail?.EC2InstanceId ?? b.action?.instanceId));
      expect(instanceIdOf(entry)).toBe(named.size === 1 ? [...named][0] : undefined);
    }
    const dead = stack.sim.model.queues.findByArn(steps.deadLetterArn)!;
    await stack.waitFor(() => queue.counts().inFlight === 0, 3000, 'the deletes');
    expect(queue.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(dead.counts().visible).toBe(0);
  });

  it('a message the gate keeps failing moves to the dead-letter queue after three deliveries', async () => {
    const log: { kind: string; instanceId: string; receiveCount: string }[] = [];
    stack = await startLocalStack({
      seed: 32,
      gateDelivery: GateDelivery.queue,
      stepQueue: { visibilityTimeoutSeconds: 1 },
      functions: { [LAUNCH_GATE_FUNCTION]: { handler: twoStepGate(log), options: { timeoutMs: 1000 } } },
    });
    const steps = stack.stepQueue!;
    stack.sim.model.queues.findByArn(steps.arn)!.send({ body: '{"not":"a step"}' });
    const dead = stack.sim.model.queues.findByArn(steps.deadLetterArn)!;
    await stack.waitFor(() => dead.counts().visible === 1, 8000, 'the message in the dead-letter queue');
    expect(steps.mapping!.batches.map((b) => [b.outcome, b.kept.length])).toEqual([
      ['partial', 1],
      ['partial', 1],
      ['partial', 1],
    ]);
  });

  it('by default events go through the steps queue, as in production; invoke delivery calls the gate directly', async () => {
    stack = await startLocalStack({
      seed: 33,
      functions: { [LAUNCH_GATE_FUNCTION]: async () => ({ batchItemFailures: [] }) },
    });
    expect(stack.stepQueue).toBeDefined();
    expect(process.env.STEP_QUEUE_URL).toBe(stack.stepQueue!.url);
    await stack.close();
    stack = await startLocalStack({
      seed: 33,
      gateDelivery: GateDelivery.invoke,
      functions: { [LAUNCH_GATE_FUNCTION]: async () => 'ok' },
    });
    expect(stack.stepQueue).toBeUndefined();
    group(stack, 'g', 1);
    await stack.waitFor(() => stack!.delivery!.deliveries.length === 1, 5000, 'the delivery');
    expect(stack.delivery!.deliveries[0]).toMatchObject({
      target: LAUNCH_GATE_FUNCTION,
      requestId: expect.any(String),
    });
  });
});
