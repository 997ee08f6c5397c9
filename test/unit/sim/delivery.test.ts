/**
 * EventBridge-like delivery and the local stack's wiring, with a trivial handler that completes the lifecycle
 * action through the real SDK, reached by the `process.env` the stack sets.
 */
import {
  AutoScalingClient,
  type AutoScalingServiceException,
  CompleteLifecycleActionCommand,
} from '@aws-sdk/client-auto-scaling';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { LifecycleEvent } from '../../../sim/events';
import {
  GateDelivery,
  LAUNCH_GATE_FUNCTION,
  type LocalStack,
  startLocalStack,
} from '../../../sim/local-stack';

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Continues every action it gets; a finished one answers ValidationError, which it reports. */
const continuer = (seen: { id: string; instanceId: string; outcome: string }[]) => {
  return async (event: LifecycleEvent, context: Context) => {
    const client = new AutoScalingClient({});
    const d = event.detail;
    try {
      await client.send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: d.AutoScalingGroupName,
          LifecycleHookName: d.LifecycleHookName,
          LifecycleActionToken: d.LifecycleActionToken,
          LifecycleActionResult: 'CONTINUE',
        }),
      );
      seen.push({ id: context.awsRequestId, instanceId: d.EC2InstanceId, outcome: 'completed' });
    } catch (error) {
      const e = error as AutoScalingServiceException;
      seen.push({
        id: context.awsRequestId,
        instanceId: d.EC2InstanceId,
        outcome: `${e.name}: ${e.message}`,
      });
    }
    return 'done';
  };
};

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

describe('lifecycle delivery', () => {
  it('delivers each launch event to the gate function, which reaches the sim through process.env', async () => {
    const seen: { id: string; instanceId: string; outcome: string }[] = [];
    // This handler takes the raw event: EventBridge invokes it directly here (production's queue is tested apart).
    stack = await startLocalStack({
      seed: 1,
      gateDelivery: GateDelivery.invoke,
      functions: { [LAUNCH_GATE_FUNCTION]: continuer(seen) },
    });
    expect(process.env.AWS_ENDPOINT_URL).toBe(stack.endpoint);
    expect(process.env.AWS_EC2_METADATA_DISABLED).toBe('true');
    expect(process.env.PROBE_CIDRS).toBe('127.0.1.0/24');
    group(stack, 'g', 3);
    await stack.sim.model.settle();
    await stack.waitFor(() => seen.length === 3, 5000, 'three invocations');
    await stack.sim.functions.settle();
    expect(seen.every((s) => s.outcome === 'completed')).toBe(true);
    const states = stack.sim.model.autoscaling.groupInstances('g').map((i) => i.lifecycleState);
    expect(states).toEqual(['InService', 'InService', 'InService']);
    expect(stack.delivery!.deliveries.map((d) => d.copy)).toEqual([1, 1, 1]);
    expect(stack.timeline.of('invocation-end').map((e) => e.record.outcome)).toEqual([
      'success',
      'success',
      'success',
    ]);
  });

  it('with duplicates on, every event arrives twice; the second completion is refused as in AWS', async () => {
    const seen: { id: string; instanceId: string; outcome: string }[] = [];
    stack = await startLocalStack({
      seed: 2,
      gateDelivery: GateDelivery.invoke,
      duplicates: { rate: 1, delayMs: 30 },
      functions: { [LAUNCH_GATE_FUNCTION]: continuer(seen) },
    });
    group(stack, 'g', 2);
    await stack.waitFor(() => seen.length === 4, 5000, 'four invocations');
    const byInstance = new Map<string, typeof seen>();
    for (const s of seen) byInstance.set(s.instanceId, [...(byInstance.get(s.instanceId) ?? []), s]);
    expect(byInstance.size).toBe(2);
    for (const runs of byInstance.values()) {
      expect(runs.map((r) => r.outcome)).toEqual([
        'completed',
        expect.stringMatching(/^ValidationError: No active Lifecycle Action found with token /),
      ]);
      // Two deliveries are two invocations (EventBridge duplicates are not Lambda retries).
      expect(new Set(runs.map((r) => r.id)).size).toBe(2);
    }
    expect(stack.delivery!.deliveries.map((d) => d.copy).sort()).toEqual([1, 1, 2, 2]);
  });

  it('restores process.env on close and drops what it set', async () => {
    const before = process.env.AWS_ENDPOINT_URL;
    stack = await startLocalStack({ seed: 3, env: { HEALTHGATE_PROBE: 'x' } });
    expect(process.env.HEALTHGATE_PROBE).toBe('x');
    await stack.close();
    stack = undefined;
    expect(process.env.AWS_ENDPOINT_URL).toBe(before);
    expect(process.env.HEALTHGATE_PROBE).toBeUndefined();
  });
});
