/**
 * The real launch gate against the sim and real app processes: every scenario's group is launched at once in
 * `beforeAll` (they run side by side, as instances of different groups do), then each test waits for its own
 * instance's decision and checks it against the sim's timeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../sim/local-stack';
import {
  actionStartOf,
  BOOT_TOLERANT_DEADLINE_SECONDS,
  completeCallsOf,
  completionsOf,
  launchGroup,
  POLICY,
  retire,
  SECRET_KEY,
  startGateStack,
  stepsScheduledOf,
  waitForDecision as waitForDecisionOn,
} from './gate-harness';

let stack: LocalStack;
const launched: Record<string, { instanceId: string; privateIp: string }> = {};
const INTERVAL_MS = POLICY.intervalSeconds * 1000;
const DEADLINE_MS = POLICY.deadlineSeconds * 1000;
// Slack for process scheduling, a probe's own latency and the completion call on a loaded CI machine.
const SLACK_MS = 2_500;
// Bounds of waiting, not of behaviour: instances boot slowly on a loaded machine.
const WAIT_MS = (BOOT_TOLERANT_DEADLINE_SECONDS + 15) * 1000;
const TEST_TIMEOUT_MS = WAIT_MS + 15_000;

beforeAll(async () => {
  const started = await startGateStack({ seed: 21 });
  stack = started.stack;
  const bootTolerant = { deadlineSeconds: BOOT_TOLERANT_DEADLINE_SECONDS };
  launched.healthy = launchGroup(stack, 'healthy', {
    imageId: 'ami-v1',
    targetGroup: true,
    policy: bootTolerant,
  });
  launched.migration = launchGroup(stack, 'migration', {
    imageId: 'ami-v3',
    policy: bootTolerant,
    // The release step was skipped: the shared database has v1's migrations only.
    env: { SQLITE_PATH: started.sharedDb, MIGRATE_ON_BOOT: '0' },
  });
  launched.hanging = launchGroup(stack, 'hanging', {
    imageId: 'ami-v1',
    env: { FAULT_HEALTH_DELAY_MS: '600000' },
  });
  // The metadata service names another instance: a healthy app answers, but not as the instance launched.
  launched.impostor = launchGroup(stack, 'impostor', { imageId: 'ami-v1', env: { SIM_IMPOSTOR: '1' } });
  // The only configuration path without SECRET_KEY: the app refuses to boot and reports why.
  stack.sim.model.parameters.put({ name: '/healthgate/app-nokey/health-token', value: stack.healthToken });
  launched.nokey = launchGroup(stack, 'nokey', {
    imageId: 'ami-v1',
    env: { HEALTHGATE_SSM_CONFIG_PATH: '/healthgate/app-nokey' },
  });
}, 60_000);

afterAll(async () => {
  const fleet = stack?.fleet;
  await stack?.close();
  expect(fleet?.livePids() ?? []).toEqual([]);
}, 60_000);

/** The gate's decision for the group's instance; after a CONTINUE, once the load balancers' watch has ended too. */
const waitForDecision = (group: string, timeoutMs: number) =>
  waitForDecisionOn(stack, launched[group]!.instanceId, timeoutMs, group);

describe('launch gate against the sim', () => {
  it(
    'a healthy instance → CONTINUE → InService, registered with its LB and target group, LB agrees',
    async () => {
      const { instanceId } = launched.healthy!;
      const decision = await waitForDecision('healthy', WAIT_MS);
      expect(decision).toMatchObject({
        action: 'CONTINUE',
        reason: 'HEALTHY_THRESHOLD_MET',
        completion: 'completed',
        lb: { verdict: 'healthy' },
      });
      const { autoscaling, loadBalancers } = stack.sim.model;
      expect(autoscaling.instances.get(instanceId)?.lifecycleState).toBe('InService');
      expect(loadBalancers.classicHealth('healthy-elb')).toEqual([
        expect.objectContaining({ InstanceId: instanceId, State: 'InService' }),
      ]);
      const tg = [...loadBalancers.targetGroups.values()].find((t) => t.name === 'healthy-tg')!;
      expect(loadBalancers.targetHealth(tg.arn)).toEqual([
        expect.objectContaining({
          Target: expect.objectContaining({ Id: instanceId }),
          TargetHealth: { State: 'healthy' },
        }),
      ]);
      expect(completionsOf(stack, instanceId)).toEqual([
        expect.objectContaining({ result: 'CONTINUE', cause: 'CompleteLifecycleAction' }),
      ]);
      // CONTINUE needs the process to serve first, and the threshold's passes an interval apart. (Measured from the
      // process's start: the fleet's own readiness poll may notice the app later than the gate's probes do.)
      const started = stack.timeline.of('process-started', instanceId)[0]!;
      expect(completionsOf(stack, instanceId)[0]!.time).toBeGreaterThanOrEqual(
        started.time + INTERVAL_MS * 0.9,
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'an unapplied migration → ABANDON NON_TRANSIENT_FAILURE within one probe interval of it being visible',
    async () => {
      const { instanceId } = launched.migration!;
      const decision = await waitForDecision('migration', WAIT_MS);
      retire(stack, 'migration');
      expect(decision).toMatchObject({
        action: 'ABANDON',
        reason: 'NON_TRANSIENT_FAILURE',
        completion: 'completed',
      });
      expect(decision.detail).toMatch(/migrations:pending/);
      const [completion] = completionsOf(stack, instanceId);
      expect(completion).toMatchObject({ result: 'ABANDON', cause: 'CompleteLifecycleAction' });
      // Visible from the moment the process serves: its /health names the pending migration from the start.
      const ready = stack.timeline.of('process-ready', instanceId)[0]!;
      expect(completion!.time - ready.time).toBeLessThanOrEqual(INTERVAL_MS + SLACK_MS);
      const terminated = await stack.waitFor(
        () => stack.timeline.of('process-exited', instanceId)[0],
        10_000,
        'the abandoned instance to stop',
      );
      expect(terminated.time).toBeGreaterThanOrEqual(completion!.time);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a hanging /health → ABANDON DEADLINE_EXCEEDED at the deadline, across queued steps',
    async () => {
      const { instanceId } = launched.hanging!;
      const decision = await waitForDecision('hanging', WAIT_MS);
      retire(stack, 'hanging');
      expect(decision).toMatchObject({
        action: 'ABANDON',
        reason: 'DEADLINE_EXCEEDED',
        completion: 'completed',
      });
      const [completion] = completionsOf(stack, instanceId);
      expect(completion).toMatchObject({ result: 'ABANDON', cause: 'CompleteLifecycleAction' });
      const start = actionStartOf(stack, instanceId);
      // The event's time has whole seconds, so the gate's clock may start up to 1 s before the action did.
      expect(completion!.time - start).toBeGreaterThanOrEqual(DEADLINE_MS - 1_000);
      expect(completion!.time - start).toBeLessThanOrEqual(DEADLINE_MS + INTERVAL_MS + SLACK_MS);
      // The gate held nothing while it waited: one step per probe, each queued on the steps queue with a delay.
      expect(stepsScheduledOf(stack, instanceId).length).toBeGreaterThanOrEqual(3);
      expect(
        stack.sim.requests.entries({ service: 'sqs', action: 'SendMessage' }).length,
      ).toBeGreaterThanOrEqual(3);
      expect(stack.sim.requests.entries({ service: 'lambda', action: 'Invoke' })).toEqual([]);
      expect(
        stack.sim.functions.invocations
          .filter((r) => r.outcome !== undefined && r.outcome !== 'success')
          .map((r) => ({ outcome: r.outcome, error: r.error, logs: r.logs?.slice(-3) })),
      ).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a missing SECRET_KEY → the app never serves, its boot-failure report does → ABANDON NON_TRANSIENT_FAILURE within one probe interval',
    async () => {
      const { instanceId } = launched.nokey!;
      // The fleet starts instances with BOOT_FAILURE_REPORT=serve, as the production unit does.
      const answering = await stack.waitFor(
        () => stack.timeline.of('process-answering', instanceId)[0],
        WAIT_MS,
        'the boot-failure report to answer',
      );
      expect(answering.status).toBe(503);
      const decision = await waitForDecision('nokey', WAIT_MS);
      retire(stack, 'nokey');
      expect(decision).toMatchObject({
        action: 'ABANDON',
        reason: 'NON_TRANSIENT_FAILURE',
        completion: 'completed',
      });
      expect(decision.detail).toMatch(/configuration:keys/);
      expect(decision.detail).toMatch(/SECRET_KEY/);
      expect(decision.detail).not.toContain(SECRET_KEY);
      const [completion] = completionsOf(stack, instanceId);
      expect(completion).toMatchObject({ result: 'ABANDON', cause: 'CompleteLifecycleAction' });
      expect(completeCallsOf(stack, instanceId)).toHaveLength(1);
      // Visible from the report's first answer: one probe interval, not the deadline.
      expect(completion!.time - answering.time).toBeLessThanOrEqual(INTERVAL_MS + SLACK_MS);
      expect(completion!.time - actionStartOf(stack, instanceId)).toBeLessThan(DEADLINE_MS);
      // The app itself never served.
      expect(stack.timeline.of('process-ready', instanceId)).toEqual([]);
      const exited = await stack.waitFor(
        () => stack.timeline.of('process-exited', instanceId)[0],
        10_000,
        'the abandoned instance to stop',
      );
      expect(exited.time).toBeGreaterThanOrEqual(completion!.time);
      expect(exited.code).not.toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a different instance answering on the IP → never CONTINUE → ABANDON at the deadline',
    async () => {
      const { instanceId, privateIp } = launched.impostor!;
      const decision = await waitForDecision('impostor', WAIT_MS);
      retire(stack, 'impostor');
      expect(decision).toMatchObject({
        action: 'ABANDON',
        reason: 'DEADLINE_EXCEEDED',
        completion: 'completed',
      });
      // It was serving, healthy, under another identity the whole time.
      const ready = stack.timeline.of('process-ready', instanceId)[0];
      expect(ready?.privateIp).toBe(privateIp);
      expect(completionsOf(stack, instanceId)[0]!.time).toBeGreaterThan(ready!.time);
    },
    TEST_TIMEOUT_MS,
  );
});
