/**
 * The sim's instance refresh on a manual clock: replacements go through the launching hook, the percentages bound
 * capacity, checkpoints pause, failed replacements fail the refresh (and roll it back with AutoRollback), and the
 * documented errors.
 */
import { describe, expect, it } from 'vitest';
import type { LifecycleEvent, SimChange } from '../../../sim/events';
import { ControlPlane } from '../../../sim/model/control-plane';
import { SimError } from '../../../sim/model/errors';
import { seededRandom } from '../../../sim/model/ids';
import type { PreferencesInput } from '../../../sim/model/refresh-preferences';
import { ManualScheduler } from '../../../sim/model/scheduler';

type Decide = (event: LifecycleEvent, cp: ControlPlane) => 'CONTINUE' | 'ABANDON' | undefined;

const setup = (options: { desired?: number; version?: string; decide?: Decide } = {}) => {
  const scheduler = new ManualScheduler();
  const cp = new ControlPlane({ scheduler, random: seededRandom(3) });
  const template = cp.launchTemplates.create('web', { ImageId: 'ami-1' });
  cp.launchTemplates.createVersion({ id: template.id }, { ImageId: 'ami-2' });
  const changes: SimChange[] = [];
  cp.events.on('change', (c) => changes.push(c));
  // The gate: every launch decided at once (CONTINUE unless `decide` says otherwise).
  cp.events.on('lifecycle', (event) => {
    const result = (options.decide ?? (() => 'CONTINUE'))(event, cp);
    if (!result) return;
    cp.scheduler.schedule(0, () =>
      cp.autoscaling.completeAction({
        groupName: event.detail.AutoScalingGroupName,
        hookName: event.detail.LifecycleHookName,
        token: event.detail.LifecycleActionToken,
        result,
      }),
    );
  });
  cp.autoscaling.createGroup({
    name: 'web',
    minSize: 0,
    maxSize: 10,
    desiredCapacity: options.desired ?? 3,
    launchTemplate: { id: template.id, version: options.version ?? '1' },
    healthCheckGracePeriod: 0,
    hooks: [{ hookName: 'gate', transition: 'autoscaling:EC2_INSTANCE_LAUNCHING', heartbeatTimeout: 60 }],
  });
  const live = () =>
    cp.autoscaling.groupInstances('web').filter((i) => !i.lifecycleState.startsWith('Terminat'));
  const serving = () => live().filter((i) => i.lifecycleState === 'InService').length;
  // Every state change is replayed, so a dip between two clock steps is seen too.
  const inService = new Set<string>();
  let lowestSince = Number.POSITIVE_INFINITY;
  cp.events.on('change', (c) => {
    if (c.kind !== 'instance') return;
    if (c.to === 'InService') inService.add(c.instanceId);
    else inService.delete(c.instanceId);
    lowestSince = Math.min(lowestSince, inService.size);
  });
  const versions = () => live().map((i) => i.launchTemplate.version);
  /** Advances the clock a second at a time until `done`, recording the lowest serving count meanwhile. */
  const until = async (done: () => boolean, maxSeconds = 600) => {
    lowestSince = serving();
    for (let s = 0; s < maxSeconds && !done(); s++) {
      await scheduler.advance(1000);
      await cp.settle();
    }
    expect(done()).toBe(true);
    return lowestSince;
  };
  const refresh = () => cp.instanceRefreshes.describe('web')[0]!;
  const start = (preferences: PreferencesInput, version = '2') =>
    cp.instanceRefreshes.start({
      groupName: 'web',
      desired: { id: template.id, version },
      preferences,
    });
  return { cp, scheduler, template, changes, live, serving, versions, until, refresh, start };
};

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SimError);
    return (e as SimError).code;
  }
  throw new Error('expected a SimError');
};

describe('instance refresh', () => {
  it('launches before it terminates with 100 % healthy: serving capacity never below desired', async () => {
    const t = setup();
    await t.until(() => t.serving() === 3);
    const original = t.live().map((i) => i.instanceId);
    t.start({ MinHealthyPercentage: 100, MaxHealthyPercentage: 100, InstanceWarmup: 5 });
    const lowest = await t.until(() => t.refresh().status === 'Successful');
    expect(lowest).toBe(3);
    expect(t.versions()).toEqual([2, 2, 2]);
    expect(t.live().some((i) => original.includes(i.instanceId))).toBe(false);
    expect(t.refresh()).toMatchObject({ percentageComplete: 100, instancesToUpdate: 0 });
    expect(t.cp.autoscaling.getGroup('web').launchTemplate.version).toBe('2');
    // Never more than one instance over desired capacity.
    const statuses = t.changes.filter((c) => c.kind === 'instance-refresh').map((c) => c.status);
    expect(statuses[0]).toBe('Pending');
    expect(statuses).toContain('InProgress');
  });

  it('pauses at a checkpoint for its delay, then goes on', async () => {
    const t = setup();
    await t.until(() => t.serving() === 3);
    t.start({
      MinHealthyPercentage: 100,
      MaxHealthyPercentage: 100,
      InstanceWarmup: 0,
      CheckpointPercentages: [33, 100],
      CheckpointDelay: 120,
    });
    await t.until(() => t.refresh().percentageComplete === 33);
    const reached = t.changes.find((c) => c.kind === 'instance-refresh' && c.checkpoint === 33);
    expect(reached).toBeDefined();
    expect(t.refresh().statusReason).toMatch(/Checkpoint 33% reached/);
    const atCheckpoint = t.live().map((i) => i.instanceId);
    await t.scheduler.advance(100_000);
    await t.cp.settle();
    expect(t.live().map((i) => i.instanceId)).toEqual(atCheckpoint);
    await t.until(() => t.refresh().status === 'Successful');
  });

  it('fails after repeated abandoned replacements and rolls back with AutoRollback; the old instances stay', async () => {
    const t = setup({
      decide: (event, cp) =>
        cp.autoscaling.instances.get(event.detail.EC2InstanceId)?.launchTemplate.version === 2
          ? 'ABANDON'
          : 'CONTINUE',
    });
    await t.until(() => t.serving() === 3);
    const original = t.live().map((i) => i.instanceId);
    t.start({ MinHealthyPercentage: 100, MaxHealthyPercentage: 100, InstanceWarmup: 0, AutoRollback: true });
    const lowest = await t.until(() => t.refresh().status === 'RollbackSuccessful');
    expect(lowest).toBe(3);
    expect(t.live().map((i) => i.instanceId)).toEqual(original);
    expect(t.refresh().statusReason).toBe('The instance refresh was rolled back.');
    expect(t.cp.autoscaling.getGroup('web').launchTemplate.version).toBe('1');
    const rolling = t.changes.find((c) => c.kind === 'instance-refresh' && c.status === 'RollbackInProgress');
    expect(rolling).toMatchObject({ statusReason: expect.stringMatching(/AutoRollback is set: 3 instance/) });
  });

  it('fails without AutoRollback, leaving what it replaced', async () => {
    const t = setup({
      decide: (event, cp) =>
        cp.autoscaling.instances.get(event.detail.EC2InstanceId)?.launchTemplate.version === 2
          ? 'ABANDON'
          : 'CONTINUE',
    });
    await t.until(() => t.serving() === 3);
    t.start({ MinHealthyPercentage: 100, MaxHealthyPercentage: 100, InstanceWarmup: 0 });
    await t.until(() => t.refresh().status === 'Failed');
    expect(t.refresh().statusReason).toMatch(/failed to launch or to become healthy/);
  });

  it('rolls back on request: what was deployed is replaced by the previous version', async () => {
    const t = setup();
    await t.until(() => t.serving() === 3);
    t.start({
      MinHealthyPercentage: 100,
      MaxHealthyPercentage: 100,
      InstanceWarmup: 0,
      CheckpointPercentages: [33, 100],
      CheckpointDelay: 3600,
    });
    await t.until(() => t.refresh().percentageComplete === 33);
    expect(t.versions().sort()).toEqual([1, 1, 2]);
    t.cp.instanceRefreshes.rollback('web');
    expect(t.refresh()).toMatchObject({ status: 'RollbackInProgress' });
    const lowest = await t.until(() => t.refresh().status === 'RollbackSuccessful');
    expect(lowest).toBe(3);
    expect(t.versions()).toEqual([1, 1, 1]);
  });

  it('terminates and launches at once when MaxHealthyPercentage is omitted', async () => {
    const t = setup();
    await t.until(() => t.serving() === 3);
    t.start({ MinHealthyPercentage: 100, InstanceWarmup: 0 });
    const lowest = await t.until(() => t.refresh().status === 'Successful');
    expect(lowest).toBe(2);
  });

  it('bakes before it succeeds', async () => {
    const t = setup();
    await t.until(() => t.serving() === 3);
    t.start({ MinHealthyPercentage: 100, MaxHealthyPercentage: 200, InstanceWarmup: 0, BakeTime: 30 });
    await t.until(() => t.refresh().status === 'Baking');
    await t.until(() => t.refresh().status === 'Successful');
  });

  it('cancels: Cancelling, then Cancelled; nothing is rolled back', async () => {
    const t = setup();
    await t.until(() => t.serving() === 3);
    t.start({
      MinHealthyPercentage: 100,
      MaxHealthyPercentage: 100,
      InstanceWarmup: 0,
      CheckpointPercentages: [33, 100],
      CheckpointDelay: 3600,
    });
    await t.until(() => t.refresh().percentageComplete === 33);
    t.cp.instanceRefreshes.cancel('web');
    await t.until(() => t.refresh().status === 'Cancelled');
    expect(t.versions().sort()).toEqual([1, 1, 2]);
  });

  it('answers the documented errors', async () => {
    const t = setup();
    await t.until(() => t.serving() === 3);
    expect(code(() => t.cp.instanceRefreshes.cancel('web'))).toBe('ActiveInstanceRefreshNotFound');
    expect(code(() => t.cp.instanceRefreshes.rollback('web'))).toBe('ActiveInstanceRefreshNotFound');
    expect(code(() => t.start({ MinHealthyPercentage: 101 }))).toBe('ValidationError');
    expect(code(() => t.start({ MaxHealthyPercentage: 150 }))).toBe('ValidationError');
    expect(code(() => t.start({ MinHealthyPercentage: 50, MaxHealthyPercentage: 200 }))).toBe(
      'ValidationError',
    );
    expect(code(() => t.start({ CheckpointDelay: 10 }))).toBe('ValidationError');
    expect(code(() => t.start({ CheckpointPercentages: [50, 20] }))).toBe('ValidationError');
    expect(
      code(() => t.cp.instanceRefreshes.start({ groupName: 'web', preferences: { AutoRollback: true } })),
    ).toBe('ValidationError');
    t.cp.instanceRefreshes.start({ groupName: 'web', preferences: { CheckpointPercentages: [50, 100] } });
    expect(code(() => t.start({}))).toBe('InstanceRefreshInProgress');
    // Started without a desired configuration: nothing to roll back to.
    expect(code(() => t.cp.instanceRefreshes.rollback('web'))).toBe('IrreversibleInstanceRefresh');
  });

  it('refuses AutoRollback and rollback for a group on $Latest', async () => {
    const t = setup({ version: '$Latest' });
    await t.until(() => t.serving() === 3);
    expect(code(() => t.start({ AutoRollback: true }))).toBe('ValidationError');
    t.start({ CheckpointPercentages: [50, 100] });
    expect(code(() => t.cp.instanceRefreshes.rollback('web'))).toBe('IrreversibleInstanceRefresh');
  });

  it("takes the group's instance maintenance policy as its default bounds, and validates the policy", async () => {
    const t = setup();
    await t.until(() => t.serving() === 3);
    t.cp.autoscaling.updateGroup('web', {
      maintenancePolicy: { minHealthyPercentage: 100, maxHealthyPercentage: 110 },
    });
    t.start({ InstanceWarmup: 0 });
    expect(t.refresh().preferences).toMatchObject({ minHealthyPercentage: 100, maxHealthyPercentage: 110 });
    expect(await t.until(() => t.refresh().status === 'Successful')).toBe(3);
    expect(
      code(() =>
        t.cp.autoscaling.updateGroup('web', {
          maintenancePolicy: { minHealthyPercentage: 50, maxHealthyPercentage: 200 },
        }),
      ),
    ).toBe('ValidationError');
    expect(
      code(() => t.cp.autoscaling.updateGroup('web', { maintenancePolicy: { minHealthyPercentage: 90 } })),
    ).toBe('ValidationError');
    t.cp.autoscaling.updateGroup('web', {
      maintenancePolicy: { minHealthyPercentage: -1, maxHealthyPercentage: -1 },
    });
    expect(t.cp.autoscaling.getGroup('web').maintenancePolicy).toBeUndefined();
  });
});
