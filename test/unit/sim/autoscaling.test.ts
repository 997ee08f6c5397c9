import { describe, expect, it } from 'vitest';
import type { LifecycleEvent } from '../../../sim/events';
import { globalTimeoutSeconds } from '../../../sim/model/autoscaling';
import { ControlPlane } from '../../../sim/model/control-plane';
import { SimError } from '../../../sim/model/errors';
import type { Fleet, FleetInstance } from '../../../sim/model/fleet';
import { seededRandom } from '../../../sim/model/ids';
import { ManualScheduler } from '../../../sim/model/scheduler';

const setup = (options: { fleet?: Fleet; hook?: boolean; heartbeat?: number; desired?: number } = {}) => {
  const scheduler = new ManualScheduler();
  const cp = new ControlPlane({ scheduler, random: seededRandom(7), fleet: options.fleet });
  const events: LifecycleEvent[] = [];
  cp.events.on('lifecycle', (e) => events.push(e));
  cp.launchTemplates.create('web', {
    ImageId: 'ami-1',
    UserData: Buffer.from('#!/bin/sh').toString('base64'),
  });
  cp.autoscaling.createGroup({
    name: 'g',
    minSize: 0,
    maxSize: 5,
    desiredCapacity: options.desired ?? 1,
    launchTemplate: { name: 'web', version: '$Latest' },
    hooks:
      options.hook === false
        ? []
        : [
            {
              hookName: 'gate',
              transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
              heartbeatTimeout: options.heartbeat ?? 60,
              defaultResult: 'ABANDON',
              notificationMetadata: '{"v":1}',
            },
          ],
  });
  const live = () => cp.autoscaling.groupInstances('g');
  return { scheduler, cp, events, live, asg: cp.autoscaling };
};

const expectSimError = (fn: () => unknown, code: string, message?: RegExp) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SimError);
    expect((e as SimError).code).toBe(code);
    if (message) expect((e as SimError).message).toMatch(message);
    return;
  }
  throw new Error('expected a SimError');
};

describe('Auto Scaling model', () => {
  it('holds a launching instance in Pending:Wait and emits the EventBridge lifecycle event', async () => {
    const launched: FleetInstance[] = [];
    const { cp, events, live } = setup({
      fleet: { launch: async (i) => void launched.push(i), terminate: async () => undefined },
    });
    await cp.settle();
    const [instance] = live();
    expect(instance?.lifecycleState).toBe('Pending:Wait');
    expect(instance?.ec2State.Name).toBe('running');
    expect(launched[0]).toMatchObject({
      instanceId: instance?.instanceId,
      privateIp: '127.0.1.1',
      groupName: 'g',
      launchTemplateVersion: 1,
      userData: '#!/bin/sh',
      imageId: 'ami-1',
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      'detail-type': 'EC2 Instance-launch Lifecycle Action',
      source: 'aws.autoscaling',
      detail: {
        AutoScalingGroupName: 'g',
        LifecycleHookName: 'gate',
        EC2InstanceId: instance?.instanceId,
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        NotificationMetadata: '{"v":1}',
        Origin: 'EC2',
        Destination: 'AutoScalingGroup',
      },
    });
    expect(events[0]?.detail.LifecycleActionToken).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
  });

  it('goes InService on CONTINUE, and a second completion of the token is a ValidationError', async () => {
    const { cp, events, live, asg } = setup();
    await cp.settle();
    const token = events[0]!.detail.LifecycleActionToken;
    asg.completeAction({ groupName: 'g', hookName: 'gate', token, result: 'CONTINUE' });
    expect(live()[0]?.lifecycleState).toBe('InService');
    expectSimError(
      () => asg.completeAction({ groupName: 'g', hookName: 'gate', token, result: 'CONTINUE' }),
      'ValidationError',
      new RegExp(`No active Lifecycle Action found with token ${token}`),
    );
  });

  it('applies DefaultResult ABANDON on heartbeat timeout, terminates and launches a replacement', async () => {
    const terminated: string[] = [];
    const { cp, events, live, scheduler } = setup({
      fleet: { launch: async () => undefined, terminate: async (id) => void terminated.push(id) },
    });
    await cp.settle();
    const first = live()[0]!.instanceId;
    await scheduler.advance(59_999);
    expect(live()[0]?.lifecycleState).toBe('Pending:Wait');
    await scheduler.advance(1);
    await cp.settle();
    expect(terminated).toEqual([first]);
    expect(cp.autoscaling.instances.get(first)?.lifecycleState).toBe('Terminated');
    expect(live().map((i) => i.instanceId)).not.toContain(first);
    expect(live()).toHaveLength(1);
    expect(events).toHaveLength(2);
    expect(events[1]?.detail.EC2InstanceId).toBe(live()[0]?.instanceId);
    const launch = cp.autoscaling.activities.find(
      (a) => a.description.includes(first) && a.description.startsWith('Launching'),
    );
    expect(launch?.statusCode).toBe('Cancelled');
  });

  it('extends the timeout on heartbeat but never past the global timeout', async () => {
    const { cp, events, live, scheduler, asg } = setup({ heartbeat: 30 });
    await cp.settle();
    const token = events[0]!.detail.LifecycleActionToken;
    expect(globalTimeoutSeconds(30)).toBe(3000);
    expect(globalTimeoutSeconds(7200)).toBe(172_800);
    await scheduler.advance(20_000);
    asg.recordHeartbeat({ groupName: 'g', hookName: 'gate', token });
    await scheduler.advance(29_000); // 49 s: past the first 30 s timeout, within the extended one
    expect(live()[0]?.lifecycleState).toBe('Pending:Wait');
    // Keep heartbeating every 25 s until the global timeout (3000 s) ends it anyway.
    for (let t = 49_000; t < 3_000_000 - 25_000; t += 25_000) {
      asg.recordHeartbeat({ groupName: 'g', hookName: 'gate', token });
      await scheduler.advance(25_000);
    }
    expect(cp.autoscaling.actions.get(token)?.result).toBeUndefined();
    asg.recordHeartbeat({ groupName: 'g', hookName: 'gate', token });
    expect(cp.autoscaling.actions.get(token)?.timeoutAt).toBe(
      cp.autoscaling.actions.get(token)?.globalDeadlineAt,
    );
    await scheduler.advance(30_000);
    expect(cp.autoscaling.actions.get(token)?.result).toBe('ABANDON');
  });

  it('completes by instance id too, and rejects an unknown instance', async () => {
    const { cp, live, asg } = setup();
    await cp.settle();
    const id = live()[0]!.instanceId;
    expectSimError(
      () =>
        asg.completeAction({
          groupName: 'g',
          hookName: 'gate',
          instanceId: 'i-00000000000000000',
          result: 'CONTINUE',
        }),
      'ValidationError',
      /No active Lifecycle Action found with instance ID i-00000000000000000/,
    );
    asg.completeAction({ groupName: 'g', hookName: 'gate', instanceId: id, result: 'CONTINUE' });
    expect(live()[0]?.lifecycleState).toBe('InService');
  });

  it('replaces an instance set Unhealthy', async () => {
    const { cp, live, asg } = setup({ hook: false });
    await cp.settle();
    const first = live()[0]!;
    expect(first.lifecycleState).toBe('InService');
    asg.setInstanceHealth(first.instanceId, 'Unhealthy');
    await cp.settle();
    expect(first.lifecycleState).toBe('Terminated');
    expect(live()).toHaveLength(1);
    expect(live()[0]?.instanceId).not.toBe(first.instanceId);
    expect(live()[0]?.lifecycleState).toBe('InService');
  });

  it('terminates the oldest instances first when desired capacity decreases', async () => {
    const { cp, live, asg, scheduler } = setup({ hook: false, desired: 1 });
    await cp.settle();
    const oldest = live()[0]!.instanceId;
    await scheduler.advance(1000);
    asg.setDesiredCapacity('g', 3);
    await cp.settle();
    expect(live()).toHaveLength(3);
    asg.setDesiredCapacity('g', 2);
    await cp.settle();
    expect(live().map((i) => i.instanceId)).not.toContain(oldest);
    expect(live()).toHaveLength(2);
    expectSimError(() => asg.setDesiredCapacity('g', 9), 'ValidationError', /above max value 5/);
  });

  it('refuses to delete a group with instances unless forced; force terminates all', async () => {
    const { cp, live, asg } = setup({ desired: 2 });
    await cp.settle();
    expectSimError(() => asg.deleteGroup('g', false), 'ResourceInUse');
    const ids = live().map((i) => i.instanceId);
    asg.deleteGroup('g', true);
    await cp.settle();
    expect(ids.map((id) => asg.instances.get(id)?.lifecycleState)).toEqual(['Terminated', 'Terminated']);
    expect(asg.groups.has('g')).toBe(false);
    expect(cp.scheduler).toBeDefined();
    expectSimError(() => asg.getGroup('g'), 'ValidationError', /AutoScalingGroup name not found/);
  });

  it('fails a launch the fleet rejects and tries again once the backoff has passed', async () => {
    let calls = 0;
    const { cp, live, scheduler } = setup({
      hook: false,
      fleet: {
        launch: async () => {
          calls++;
          if (calls === 1) throw new Error('port in use');
        },
        terminate: async () => undefined,
      },
    });
    await cp.settle();
    expect(calls).toBe(1);
    await scheduler.advance(10_000);
    await cp.settle();
    expect(calls).toBe(2);
    expect(live()).toHaveLength(1);
    expect(live()[0]?.lifecycleState).toBe('InService');
    expect(cp.autoscaling.activities.some((a) => a.statusCode === 'Failed')).toBe(true);
  });

  it('holds a terminating instance in Terminating:Wait when a terminating hook exists', async () => {
    const { cp, live, asg, events } = setup({ hook: false });
    asg.putLifecycleHook({
      groupName: 'g',
      hookName: 'drain',
      transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      heartbeatTimeout: 30,
    });
    await cp.settle();
    const instance = live()[0]!;
    asg.setDesiredCapacity('g', 0);
    expect(instance.lifecycleState).toBe('Terminating:Wait');
    expect(events.at(-1)).toMatchObject({
      'detail-type': 'EC2 Instance-terminate Lifecycle Action',
      detail: { Origin: 'AutoScalingGroup', Destination: 'EC2' },
    });
    asg.completeAction({
      groupName: 'g',
      hookName: 'drain',
      token: events.at(-1)!.detail.LifecycleActionToken,
      result: 'CONTINUE',
    });
    await cp.settle();
    expect(instance.lifecycleState).toBe('Terminated');
  });
});
