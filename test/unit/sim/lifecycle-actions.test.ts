/**
 * How the sim resolves a lifecycle action named by token and instance id together. AWS documents either as
 * enough but not what a mismatched pair does; the sim takes the strictest reading (both must name one action).
 */
import { describe, expect, it } from 'vitest';
import type { LifecycleEvent } from '../../../sim/events';
import { ControlPlane } from '../../../sim/model/control-plane';
import { SimError } from '../../../sim/model/errors';
import { seededRandom } from '../../../sim/model/ids';
import { ManualScheduler } from '../../../sim/model/scheduler';

async function twoWaiting() {
  const scheduler = new ManualScheduler();
  const cp = new ControlPlane({ scheduler, random: seededRandom(11) });
  const events: LifecycleEvent[] = [];
  cp.events.on('lifecycle', (e) => events.push(e));
  cp.launchTemplates.create('web', { ImageId: 'ami-1' });
  cp.autoscaling.createGroup({
    name: 'g',
    minSize: 0,
    maxSize: 4,
    desiredCapacity: 2,
    launchTemplate: { name: 'web', version: '$Latest' },
    hooks: [
      {
        hookName: 'gate',
        transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        heartbeatTimeout: 60,
        defaultResult: 'ABANDON',
      },
    ],
  });
  await cp.settle();
  const [a, b] = events.map((e) => ({ token: e.detail.LifecycleActionToken, id: e.detail.EC2InstanceId }));
  const state = (id: string) => cp.autoscaling.instances.get(id)?.lifecycleState;
  return { asg: cp.autoscaling, a: a!, b: b!, state };
}

function simError(fn: () => unknown): SimError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SimError);
    return error as SimError;
  }
  throw new Error('expected a SimError');
}

describe('lifecycle actions named by token and instance id', () => {
  it("refuses a token paired with another waiting instance's id: neither action completes", async () => {
    const { asg, a, b, state } = await twoWaiting();
    const error = simError(() =>
      asg.completeAction({
        groupName: 'g',
        hookName: 'gate',
        token: a.token,
        instanceId: b.id,
        result: 'CONTINUE',
      }),
    );
    expect(error.code).toBe('ValidationError');
    expect(error.message).toMatch(/No active Lifecycle Action found/);
    expect(state(a.id)).toBe('Pending:Wait');
    expect(state(b.id)).toBe('Pending:Wait');
  });

  it('refuses the mismatched pair for a heartbeat too', async () => {
    const { asg, a, b } = await twoWaiting();
    const error = simError(() =>
      asg.recordHeartbeat({ groupName: 'g', hookName: 'gate', token: a.token, instanceId: b.id }),
    );
    expect(error.code).toBe('ValidationError');
  });

  it('completes a matching pair, and either one alone', async () => {
    const { asg, a, b, state } = await twoWaiting();
    asg.completeAction({
      groupName: 'g',
      hookName: 'gate',
      token: a.token,
      instanceId: a.id,
      result: 'CONTINUE',
    });
    expect(state(a.id)).toBe('InService');
    asg.completeAction({ groupName: 'g', hookName: 'gate', instanceId: b.id, result: 'ABANDON' });
    expect(state(b.id)).not.toBe('Pending:Wait');
  });

  it('refuses a completion that names neither', async () => {
    const { asg } = await twoWaiting();
    const error = simError(() =>
      asg.completeAction({ groupName: 'g', hookName: 'gate', result: 'CONTINUE' }),
    );
    expect(error.code).toBe('ValidationError');
  });
});
