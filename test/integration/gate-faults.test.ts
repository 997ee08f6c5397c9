/**
 * The real launch gate when delivery and the API misbehave as they do in AWS: every lifecycle event delivered
 * twice (EventBridge is at least once) and a third of the API calls throttled (the SDK retries them). The
 * decisions must not change, and each lifecycle action is completed exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../sim/local-stack';
import {
  BOOT_TOLERANT_DEADLINE_SECONDS,
  chainEndsOf,
  completeCallsOf,
  completionsOf,
  decisionOf,
  launchGroup,
  retire,
  startGateStack,
} from './gate-harness';

let stack: LocalStack;
const launched: Record<string, { instanceId: string }> = {};
const WAIT_MS = (BOOT_TOLERANT_DEADLINE_SECONDS + 15) * 1000;
const TEST_TIMEOUT_MS = WAIT_MS + 15_000;

beforeAll(async () => {
  const started = await startGateStack({
    seed: 31,
    duplicates: true,
    // At most two throttles in a row per action: the SDK's four attempts always get through, so a wrong decision
    // here is the gate's fault, not bad luck.
    faults: [
      { service: 'autoscaling', throttleRate: 0.33, maxConsecutive: 2 },
      { service: 'ec2', throttleRate: 0.33, maxConsecutive: 2 },
      { service: 'elb', throttleRate: 0.33, maxConsecutive: 2 },
      { service: 'elbv2', throttleRate: 0.33, maxConsecutive: 2 },
      { service: 'ssm', throttleRate: 0.33, maxConsecutive: 2 },
      { service: 'sqs', throttleRate: 0.33, maxConsecutive: 2 },
    ],
  });
  stack = started.stack;
  const policy = { deadlineSeconds: BOOT_TOLERANT_DEADLINE_SECONDS };
  launched.healthy = launchGroup(stack, 'dup-healthy', { imageId: 'ami-v1', policy });
  launched.migration = launchGroup(stack, 'dup-migration', {
    imageId: 'ami-v3',
    env: { SQLITE_PATH: started.sharedDb, MIGRATE_ON_BOOT: '0' },
    policy,
  });
}, 60_000);

afterAll(async () => {
  const fleet = stack?.fleet;
  await stack?.close();
  expect(fleet?.livePids() ?? []).toEqual([]);
}, 60_000);

/**
 * Both deliveries' chains of steps ended (a redelivered step continues its chain): one decided, the other found
 * the action already completed, or gone while it waited.
 */
const bothSettled = (instanceId: string) => {
  const ends = chainEndsOf(stack, instanceId);
  return ends.length >= 2 ? ends : undefined;
};

describe('launch gate with duplicate deliveries and a throttled API', () => {
  it(
    'a healthy instance is continued once, whichever copy of the event decides',
    async () => {
      const { instanceId } = launched.healthy!;
      const done = await stack.waitFor(() => bothSettled(instanceId), WAIT_MS, 'both copies to settle');
      expect(
        stack.delivery!.deliveries.filter((d) => d.instanceId === instanceId).map((d) => d.copy),
      ).toEqual([1, 2]);
      expect(decisionOf(stack, instanceId)).toMatchObject({
        action: 'CONTINUE',
        reason: 'HEALTHY_THRESHOLD_MET',
        completion: 'completed',
      });
      // The other copy either lost the race to complete or found the action gone while waiting.
      expect(done.filter((l) => l.message === 'lifecycle action completed')).toHaveLength(1);
      expect(completeCallsOf(stack, instanceId)).toHaveLength(1);
      expect(completionsOf(stack, instanceId)).toEqual([
        expect.objectContaining({ result: 'CONTINUE', cause: 'CompleteLifecycleAction' }),
      ]);
      expect(stack.sim.model.autoscaling.instances.get(instanceId)?.lifecycleState).toBe('InService');
      // The faults were real: calls were throttled and the SDK retried them.
      expect(stack.sim.requests.entries().filter((e) => e.injected).length).toBeGreaterThan(5);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'an unapplied migration is abandoned once, NON_TRANSIENT_FAILURE, despite throttling',
    async () => {
      const { instanceId } = launched.migration!;
      await stack.waitFor(() => bothSettled(instanceId), WAIT_MS, 'both copies to settle');
      retire(stack, 'dup-migration');
      expect(decisionOf(stack, instanceId)).toMatchObject({
        action: 'ABANDON',
        reason: 'NON_TRANSIENT_FAILURE',
      });
      expect(completeCallsOf(stack, instanceId)).toHaveLength(1);
      expect(completionsOf(stack, instanceId)).toEqual([
        expect.objectContaining({ result: 'ABANDON', cause: 'CompleteLifecycleAction' }),
      ]);
      const throttled = stack.sim.requests
        .entries()
        .filter((e) => e.injected)
        .map((e) => e.result);
      expect(new Set(throttled)).toEqual(
        new Set(
          throttled.filter((code) =>
            [
              'Throttling',
              'RequestLimitExceeded',
              'ThrottlingException',
              'TooManyRequestsException',
              'RequestThrottled',
            ].includes(code),
          ),
        ),
      );
    },
    TEST_TIMEOUT_MS,
  );
});
