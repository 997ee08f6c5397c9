/**
 * A launch template version the sim cannot launch fails the launch the way Auto Scaling reports it (a Failed
 * scaling activity whose status message is EC2's reason plus "Launching EC2 instance failed."), and the group
 * retries with a growing wait instead of relaunching in a tight loop.
 */
import { AutoScalingClient, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import { startSim } from '../../../sim';
import {
  LAUNCH_RETRY_BASE_SECONDS,
  LAUNCH_RETRY_MAX_SECONDS,
  launchRetryDelaySeconds,
} from '../../../sim/model/autoscaling';
import { ControlPlane } from '../../../sim/model/control-plane';
import type { Fleet } from '../../../sim/model/fleet';
import { seededRandom } from '../../../sim/model/ids';
import type { LaunchTemplateData } from '../../../sim/model/launch-templates';
import { ManualScheduler } from '../../../sim/model/scheduler';

/** A model whose group `g` launches from `data`, with a fleet that counts what it is asked to run. */
const setup = (data: LaunchTemplateData, fleet: Partial<Fleet> = {}, desired = 1) => {
  const scheduler = new ManualScheduler();
  const launched: string[] = [];
  const cp = new ControlPlane({
    scheduler,
    random: seededRandom(5),
    fleet: {
      launch: async (i) => void launched.push(i.imageId),
      terminate: async () => undefined,
      ...fleet,
    },
  });
  const template = cp.launchTemplates.create('web', data);
  cp.autoscaling.createGroup({
    name: 'g',
    minSize: 0,
    maxSize: 5,
    desiredCapacity: desired,
    launchTemplate: { name: 'web', version: '$Latest' },
  });
  const failed = () => cp.autoscaling.activities.filter((a) => a.statusCode === 'Failed');
  const live = () => cp.autoscaling.groupInstances('g');
  return { cp, scheduler, launched, failed, live, template };
};

describe('launch failures', () => {
  it('a version without an image fails the launch as a Failed activity, and no instance exists', async () => {
    const { cp, failed, launched, live } = setup({ InstanceType: 't3.micro' });
    await cp.settle();
    expect(launched).toEqual([]);
    expect(live()).toEqual([]);
    expect(failed()).toHaveLength(1);
    expect(failed()[0]).toMatchObject({
      groupName: 'g',
      statusCode: 'Failed',
      progress: 100,
      description:
        'Launching a new EC2 instance.  Status Reason: The request must contain the parameter ImageId. Launching EC2 instance failed.',
      statusMessage: 'The request must contain the parameter ImageId. Launching EC2 instance failed.',
    });
    expect(failed()[0]?.endTime).toBeDefined();
  });

  it('an image the fleet does not have fails as AWS reports a missing AMI, without asking the fleet to run it', async () => {
    const { cp, failed, launched } = setup(
      { ImageId: 'ami-gone' },
      { hasImage: (id) => id === 'ami-present' },
    );
    await cp.settle();
    expect(launched).toEqual([]);
    expect(failed()[0]?.statusMessage).toBe(
      'The AMI ID ami-gone does not exist. Launching EC2 instance failed.',
    );
  });

  it('retries after 10 s, then 20 s, 40 s … capped at 5 minutes: one attempt per wait, never a tight loop', async () => {
    const { cp, scheduler, failed } = setup({}, {}, 3);
    await cp.settle();
    // Three instances wanted, but the first failure stops the round: one attempt, not three.
    expect(failed()).toHaveLength(1);
    const attemptsAt: number[] = [];
    const start = scheduler.now();
    for (let second = 1; second <= 1000; second++) {
      await scheduler.advance(1000);
      await cp.settle();
      if (failed().length > attemptsAt.length + 1) attemptsAt.push((scheduler.now() - start) / 1000);
    }
    expect(attemptsAt).toEqual([10, 30, 70, 150, 310, 610, 910]);
    expect([1, 2, 3, 4, 5, 6, 20].map(launchRetryDelaySeconds)).toEqual([10, 20, 40, 80, 160, 300, 300]);
    expect(LAUNCH_RETRY_BASE_SECONDS).toBe(10);
    expect(LAUNCH_RETRY_MAX_SECONDS).toBe(300);
  });

  it('a fleet that rejects every launch is retried on the backoff, not relaunched at once', async () => {
    let calls = 0;
    const { cp, scheduler, failed } = setup(
      { ImageId: 'ami-1' },
      {
        launch: async () => {
          calls++;
          // Bounded so the old tight loop ends too: it would reach this at once.
          if (calls < 50) throw new Error('cannot start IMDS');
        },
      },
    );
    await cp.settle();
    expect(calls).toBe(1);
    expect(failed()).toHaveLength(1);
    await scheduler.advance(9_999);
    await cp.settle();
    expect(calls).toBe(1);
    await scheduler.advance(1);
    await cp.settle();
    expect(calls).toBe(2);
  });

  it('a fixed launch template launches at once, and a success forgets the failures', async () => {
    const { cp, scheduler, failed, live, template } = setup({});
    await cp.settle();
    await scheduler.advance(10_000);
    await cp.settle();
    expect(failed()).toHaveLength(2);
    cp.launchTemplates.createVersion({ id: template.id }, { ImageId: 'ami-1' });
    cp.autoscaling.updateGroup('g', { launchTemplate: { id: template.id, version: '$Latest' } });
    await cp.settle();
    expect(live()).toHaveLength(1);
    expect(live()[0]?.lifecycleState).toBe('InService');
    // Nothing left scheduled: the retry timer went with the failures.
    expect(scheduler.pending).toBe(0);
  });

  it('deleting the group or closing the model cancels a pending retry', async () => {
    const { cp, scheduler } = setup({});
    await cp.settle();
    expect(scheduler.pending).toBe(1);
    cp.autoscaling.deleteGroup('g', true);
    expect(scheduler.pending).toBe(0);
    const other = setup({});
    await other.cp.settle();
    other.cp.stop();
    expect(other.scheduler.pending).toBe(0);
  });

  it('DescribeScalingActivities reports the failed launch as AWS does', async () => {
    const sim = await startSim({ seed: 9, scheduler: new ManualScheduler() });
    try {
      sim.model.launchTemplates.create('web', {});
      sim.model.autoscaling.createGroup({
        name: 'g',
        minSize: 1,
        maxSize: 1,
        launchTemplate: { name: 'web' },
      });
      const client = new AutoScalingClient({
        endpoint: sim.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
      const out = await client.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'g' }));
      expect(out.Activities).toHaveLength(1);
      expect(out.Activities?.[0]).toMatchObject({
        StatusCode: 'Failed',
        StatusMessage: 'The request must contain the parameter ImageId. Launching EC2 instance failed.',
        Progress: 100,
      });
      expect(out.Activities?.[0]?.Cause).toMatch(/^At \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /);
    } finally {
      await sim.close();
    }
  });
});
