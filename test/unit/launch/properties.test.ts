/**
 * Properties of the stepped gate under the queue's real behaviour: steps delivered at least once (duplicates),
 * in the order their delays make, with whatever the instance answers. Real steps, real probes of a loopback
 * instance, a fake clock and a fake queue.
 */
import { CompleteLifecycleActionCommand } from '@aws-sdk/client-auto-scaling';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepMessage } from '../../../shared/launch/step-message';
import {
  createHarness,
  EVENT_TIME,
  type FakeInstance,
  healthBody,
  INSTANCE,
  launchEvent,
  PEER,
  type Reply,
  startInstance,
} from '../../support/launch-harness';

const H = 3;
const INTERVAL_S = 2;
const DEADLINE_S = 30;

let instance: FakeInstance;
beforeAll(async () => {
  instance = await startInstance();
});
afterAll(async () => {
  await instance.close();
});

const Answer = { pass: 'pass', fail: 'fail', permanent: 'permanent', impostor: 'impostor' } as const;
type Answer = (typeof Answer)[keyof typeof Answer];

function reply(answer: Answer): Reply {
  switch (answer) {
    case 'pass':
      return { status: 200, body: healthBody('pass') };
    case 'fail':
      return { status: 503, body: healthBody('fail', { failing: [{ name: 'homepage:status' }] }) };
    case 'permanent':
      return {
        status: 503,
        body: healthBody('fail', { failing: [{ name: 'migrations:pending', transient: false }] }),
      };
    case 'impostor':
      return { status: 200, body: healthBody('pass', { instanceId: PEER }) };
  }
}

/**
 * Runs one launch to its end through a queue that delivers twice the steps `duplicated` names (by step number).
 * SQS duplicates rarely; each duplicate forks a chain of steps until one of them decides, so a few per launch is
 * the realistic worst case (a duplicate on every step would double the chains each step).
 */
async function run(answers: Answer[], duplicated: readonly number[]) {
  const served: Answer[] = [];
  instance.requests.length = 0;
  instance.reply((n) => {
    const answer = answers[n] ?? 'fail';
    served.push(answer);
    return reply(answer);
  });
  const h = createHarness(instance, {
    policy: {
      port: instance.port,
      probeCidrs: ['127.0.0.0/8'],
      intervalSeconds: INTERVAL_S,
      timeoutSeconds: 1,
      healthyThreshold: H,
      deadlineSeconds: DEADLINE_S,
      lbVerifySeconds: 6,
    },
  });
  // Auto Scaling completes an action once: every later completion finds no active action.
  const completions: { result: string; at: number; served: number }[] = [];
  h.mocks.as.on(CompleteLifecycleActionCommand).callsFake((input) => {
    if (completions.length > 0) {
      throw Object.assign(new Error(`No active Lifecycle Action found with instance ID ${INSTANCE}`), {
        name: 'ValidationError',
        $metadata: { httpStatusCode: 400 },
      });
    }
    completions.push({ result: input.LifecycleActionResult, at: h.clock.now(), served: served.length });
    return {};
  });
  const queue: { due: number; input: unknown }[] = [{ due: h.clock.now(), input: launchEvent() }];
  let steps = 0;
  let forks = 0;
  while (queue.length > 0 && steps < 400) {
    queue.sort((a, b) => a.due - b.due);
    const next = queue.shift()!;
    if (next.due > h.clock.now()) h.clock.advance(next.due - h.clock.now());
    const before = h.scheduled.length;
    await h.step(next.input);
    for (const { step, delaySeconds } of h.scheduled.slice(before)) {
      const item = { due: h.clock.now() + delaySeconds * 1000, input: step as StepMessage };
      queue.push(item);
      if (duplicated.includes(steps)) {
        queue.push({ ...item });
        forks += 1;
      }
    }
    steps += 1;
  }
  return { completions, served, steps, forks, h };
}

describe('the stepped gate under duplicated steps and any answers', () => {
  it('one effective completion per action, decided by the deadline; a CONTINUE only on a passing answer of its step', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...Object.values(Answer)), { minLength: 1, maxLength: 20 }),
        fc.uniqueArray(fc.nat({ max: 15 }), { maxLength: 3 }),
        async (answers, duplicated) => {
          const { completions, served, steps, forks } = await run(answers, duplicated);
          expect(forks).toBeLessThanOrEqual(duplicated.length);
          expect(steps).toBeLessThan(400);
          expect(completions).toHaveLength(1);
          const [completion] = completions;
          // Decided by the deadline (counted from the event's time), give or take one probe round.
          expect(completion!.at - EVENT_TIME).toBeLessThanOrEqual((DEADLINE_S + INTERVAL_S + 1) * 1000);
          if (completion!.result === 'CONTINUE') {
            // The answer that completed it was a pass from the instance, and H passes were answered at least.
            expect(served[completion!.served - 1]).toBe('pass');
            expect(served.filter((a) => a === 'pass').length).toBeGreaterThanOrEqual(H);
          }
          // An instance that never passes is never continued; one that reports a permanent failure first is
          // abandoned.
          if (!answers.includes('pass')) expect(completion!.result).toBe('ABANDON');
          if (answers[0] === 'permanent') expect(completion!.result).toBe('ABANDON');
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it('forked chains (the first three steps duplicated) still complete the action once', async () => {
    // Two failures, then a healthy instance (every chain's probes are answered from the same instance).
    const answers: Answer[] = ['fail', 'fail', ...Array.from({ length: 60 }, () => Answer.pass)];
    const { completions, forks } = await run(answers, [0, 1, 2]);
    expect(forks).toBe(3);
    expect(completions).toEqual([expect.objectContaining({ result: 'CONTINUE' })]);
  });
});
