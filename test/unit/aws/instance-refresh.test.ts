/**
 * The Auto Scaling adapter's instance refresh calls: the exact commands sent, and the same calls against the sim's
 * wire protocol (reached through AWS_ENDPOINT_URL), where the documented state errors come back typed.
 */
import {
  AutoScalingClient,
  CancelInstanceRefreshCommand,
  DescribeInstanceRefreshesCommand,
  RollbackInstanceRefreshCommand,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAutoScalingAdapter } from '../../../shared/aws/autoscaling';
import { InstanceRefreshStateError } from '../../../shared/aws/errors';
import { type Sim, startSim } from '../../../sim';
import { ManualScheduler } from '../../../sim/model/scheduler';

describe('instance refresh commands', () => {
  const asMock = mockClient(AutoScalingClient);
  const adapter = createAutoScalingAdapter(new AutoScalingClient({}));
  afterAll(() => asMock.restore());

  it('starts a Rolling refresh to a numbered version with the preferences given, and nothing else', async () => {
    asMock.reset();
    asMock.on(StartInstanceRefreshCommand).resolves({ InstanceRefreshId: 'ir-1' });
    const id = await adapter.startInstanceRefresh({
      group: 'web',
      launchTemplate: { id: 'lt-1', version: '8' },
      preferences: {
        minHealthyPercentage: 100,
        maxHealthyPercentage: 100,
        checkpointPercentages: [33, 100],
        checkpointDelaySeconds: 300,
        autoRollback: true,
        bakeTimeSeconds: 60,
        skipMatching: false,
      },
    });
    expect(id).toBe('ir-1');
    expect(asMock.commandCalls(StartInstanceRefreshCommand)[0]?.args[0].input).toEqual({
      AutoScalingGroupName: 'web',
      Strategy: 'Rolling',
      DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '8' } },
      Preferences: {
        MinHealthyPercentage: 100,
        MaxHealthyPercentage: 100,
        CheckpointPercentages: [33, 100],
        CheckpointDelay: 300,
        SkipMatching: false,
        AutoRollback: true,
        BakeTime: 60,
      },
    });
  });

  it('maps the state errors by their fault names, and names the group and the call', async () => {
    asMock.reset();
    const fault = (name: string) =>
      Object.assign(new Error('no'), { name, $metadata: { httpStatusCode: 400 } });
    asMock.on(CancelInstanceRefreshCommand).rejects(fault('ActiveInstanceRefreshNotFoundFault'));
    asMock.on(RollbackInstanceRefreshCommand).rejects(fault('IrreversibleInstanceRefreshFault'));
    const cancel = await adapter.cancelInstanceRefresh('web').catch((e: unknown) => e);
    expect(cancel).toBeInstanceOf(InstanceRefreshStateError);
    expect(cancel).toMatchObject({ reason: 'ActiveInstanceRefreshNotFound', groupName: 'web' });
    const rollback = await adapter.rollbackInstanceRefresh('web').catch((e: unknown) => e);
    expect(rollback).toMatchObject({ reason: 'IrreversibleInstanceRefresh' });
    expect((rollback as Error).message).toMatch(/autoscaling\.RollbackInstanceRefresh on web/);
  });

  it('follows NextToken through DescribeInstanceRefreshes', async () => {
    asMock.reset();
    asMock
      .on(DescribeInstanceRefreshesCommand)
      .resolvesOnce({ InstanceRefreshes: [{ InstanceRefreshId: 'b', Status: 'InProgress' }], NextToken: 't' })
      .resolvesOnce({ InstanceRefreshes: [{ InstanceRefreshId: 'a', Status: 'Successful' }] });
    const all = await adapter.describeInstanceRefreshes('web');
    expect(all.map((r) => [r.id, r.status])).toEqual([
      ['b', 'InProgress'],
      ['a', 'Successful'],
    ]);
  });
});

describe('instance refresh against the sim', () => {
  let sim: Sim;
  let scheduler: ManualScheduler;
  let templateId: string;

  beforeAll(async () => {
    scheduler = new ManualScheduler();
    sim = await startSim({ seed: 5, scheduler });
    vi.stubEnv('AWS_ENDPOINT_URL', sim.endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    const template = sim.model.launchTemplates.create('web', { ImageId: 'ami-1' });
    sim.model.launchTemplates.createVersion({ id: template.id }, { ImageId: 'ami-2' });
    templateId = template.id;
    sim.model.autoscaling.createGroup({
      name: 'web',
      minSize: 0,
      maxSize: 6,
      desiredCapacity: 2,
      launchTemplate: { id: template.id, version: '1' },
      healthCheckGracePeriod: 0,
    });
    await sim.model.settle();
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await sim.close();
  });

  it('starts, describes, refuses a second start and rolls back, as the SDK sees it', async () => {
    const adapter = createAutoScalingAdapter();
    const id = await adapter.startInstanceRefresh({
      group: 'web',
      launchTemplate: { id: templateId, version: '2' },
      preferences: {
        minHealthyPercentage: 100,
        maxHealthyPercentage: 100,
        instanceWarmupSeconds: 0,
        checkpointPercentages: [50, 100],
        checkpointDelaySeconds: 600,
        autoRollback: true,
      },
    });
    const [described] = await adapter.describeInstanceRefreshes('web', { ids: [id] });
    expect(described).toMatchObject({
      id,
      group: 'web',
      status: 'Pending',
      percentageComplete: 0,
      instancesToUpdate: 2,
      checkpointPercentages: [50, 100],
      checkpointDelaySeconds: 600,
      autoRollback: true,
      desiredLaunchTemplate: { id: templateId, version: '2' },
    });
    const second = await adapter
      .startInstanceRefresh({
        group: 'web',
        launchTemplate: { id: templateId, version: '2' },
        preferences: { minHealthyPercentage: 90 },
      })
      .catch((e: unknown) => e);
    expect(second).toMatchObject({ name: 'InstanceRefreshStateError', reason: 'InstanceRefreshInProgress' });

    for (let s = 0; s < 20; s++) {
      await scheduler.advance(1000);
      await sim.model.settle();
    }
    const [halfway] = await adapter.describeInstanceRefreshes('web');
    expect(halfway).toMatchObject({ status: 'InProgress', percentageComplete: 50 });
    expect(halfway?.statusReason).toMatch(/Checkpoint 50% reached/);

    expect(await adapter.rollbackInstanceRefresh('web')).toBe(id);
    for (let s = 0; s < 20; s++) {
      await scheduler.advance(1000);
      await sim.model.settle();
    }
    const [rolledBack] = await adapter.describeInstanceRefreshes('web');
    expect(rolledBack).toMatchObject({
      status: 'RollbackSuccessful',
      rollback: { percentageCompleteOnRollback: 50 },
    });
    const group = await adapter.describeGroup('web');
    expect(group.instances.map((i) => i.launchTemplateVersion)).toEqual(['1', '1']);
    const none = await adapter.cancelInstanceRefresh('web').catch((e: unknown) => e);
    expect(none).toMatchObject({ reason: 'ActiveInstanceRefreshNotFound' });
  });
});
