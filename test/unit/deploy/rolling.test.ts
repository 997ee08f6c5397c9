/**
 * The rolling driver over faked adapters (the seam, not the SDK): what it starts, what it rolls back, and that it
 * never touches an instance refresh it did not start.
 */
import { describe, expect, it, vi } from 'vitest';
import type { GroupDescription, InstanceRefreshDescription, ScalingActivity } from '../../../shared/aws';
import {
  type DeployEvent,
  deployRolling,
  type RollingDeployDeps,
  type RollingDeployRequest,
} from '../../../shared/deploy';
import type { RollbackReport } from '../../../shared/rollback';

const ABANDONED = {
  statusCode: 'Cancelled',
  statusMessage:
    "Instance failed to complete user's Lifecycle Action: Lifecycle Action Completed with ABANDON Result",
};

/** A world the test scripts: the refreshes each look sees, the group, the activities, the verdicts. */
const world = (o: {
  version?: string;
  existing?: InstanceRefreshDescription[];
  looks?: Partial<InstanceRefreshDescription>[];
  instances?: { id: string; state: string; version: string }[];
  abandons?: number;
  verdict?: RollbackReport['verdict'];
}) => {
  let clock = 1_000_000;
  let look = 0;
  let started = false;
  const events: DeployEvent[] = [];
  const ours = 'ir-ours';
  const refresh = (): InstanceRefreshDescription => ({
    id: ours,
    group: 'web',
    status: 'InProgress',
    percentageComplete: 0,
    ...o.looks?.[Math.min(look, (o.looks?.length ?? 1) - 1)],
  });
  const group: GroupDescription = {
    name: 'web',
    minSize: 3,
    maxSize: 6,
    desiredCapacity: 3,
    launchTemplate: { id: 'lt-1', version: o.version ?? '7' },
    loadBalancerNames: [],
    targetGroupArns: [],
    availabilityZones: ['us-east-1a'],
    tags: {},
    instances: (o.instances ?? []).map((i) => ({
      instanceId: i.id,
      lifecycleState: i.state,
      healthStatus: 'Healthy',
      launchTemplateVersion: i.version,
    })),
  };
  const activities: ScalingActivity[] = Array.from({ length: o.abandons ?? 0 }, (_, n) => ({
    activityId: `a-${n}`,
    startTime: new Date(clock + 10),
    ...ABANDONED,
  }));
  const autoscaling = {
    describeGroup: vi.fn(async () => group),
    describeScalingActivities: vi.fn(async () => activities),
    startInstanceRefresh: vi.fn(async () => {
      started = true;
      return ours;
    }),
    describeInstanceRefreshes: vi.fn(async (_g: string, options?: { ids?: readonly string[] }) => {
      if (options?.ids) {
        const r = refresh();
        look += 1;
        return [r];
      }
      return [...(o.existing ?? []), ...(started ? [refresh()] : [])];
    }),
    rollbackInstanceRefresh: vi.fn(async () => ours),
  };
  const launchTemplates = {
    createVersion: vi.fn(async () => ({ templateId: 'lt-1', templateName: 'web', version: '8' })),
    deleteVersion: vi.fn(async () => undefined),
    describeVersion: vi.fn(),
  };
  const deps: RollingDeployDeps = {
    autoscaling,
    elb: { describeInstanceHealth: async () => [] },
    elbv2: { describeTargetHealth: async () => [] },
    rollbackCheck: vi.fn(async (name: string) => ({
      group: name,
      checkedAt: '',
      verdict: o.verdict ?? 'proceed',
      reasons: [{ verdict: o.verdict ?? 'proceed', reason: 'ALL_HEALTHY', detail: 'all good' }],
      versions: {},
      probe: { port: 80, path: '/health' },
      instances: [],
    })) as RollingDeployDeps['rollbackCheck'],
    launchTemplates: launchTemplates as unknown as RollingDeployDeps['launchTemplates'],
    onEvent: (e) => events.push(e),
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
  };
  return { deps, events, autoscaling, launchTemplates };
};

const request: RollingDeployRequest = {
  groupName: 'web',
  version: 'v2',
  launchTemplate: { id: 'lt-1' },
  newTemplateVersion: { sourceVersion: '7', data: { ImageId: 'ami-2' } },
  maxAbandons: 2,
  pollIntervalMs: 1_000,
};

describe('deployRolling', () => {
  it('leaves an instance refresh it did not start alone and starts nothing', async () => {
    const w = world({
      existing: [{ id: 'ir-theirs', group: 'web', status: 'InProgress', percentageComplete: 40 }],
    });
    const result = await deployRolling(request, w.deps);
    expect(result).toMatchObject({ outcome: 'rolled-back', failure: 'AWS_ERROR' });
    expect(result.detail).toMatch(/ir-theirs .* not this deploy's: left alone/);
    expect(w.autoscaling.startInstanceRefresh).not.toHaveBeenCalled();
    expect(w.autoscaling.rollbackInstanceRefresh).not.toHaveBeenCalled();
    expect(w.launchTemplates.createVersion).not.toHaveBeenCalled();
    expect(w.events.map((e) => e.type)).toContain('refresh-not-ours');
  });

  it('refuses a group on $Latest: its refresh could not be rolled back', async () => {
    const w = world({ version: '$Latest' });
    const result = await deployRolling(request, w.deps);
    expect(result.detail).toMatch(/launches \$Latest: .* pin a numbered version first/);
    expect(w.autoscaling.startInstanceRefresh).not.toHaveBeenCalled();
  });

  it('starts a Rolling refresh to the version it made, with the safe preferences', async () => {
    const w = world({ looks: [{ status: 'Successful', percentageComplete: 100 }] });
    const result = await deployRolling(request, w.deps);
    expect(w.autoscaling.startInstanceRefresh).toHaveBeenCalledWith({
      group: 'web',
      launchTemplate: { id: 'lt-1', version: '8' },
      preferences: expect.objectContaining({
        minHealthyPercentage: 100,
        maxHealthyPercentage: 100,
        autoRollback: true,
        skipMatching: false,
        checkpointPercentages: [33, 100],
      }),
    });
    expect(result).toMatchObject({ outcome: 'deployed', strategy: 'rolling', refreshId: 'ir-ours' });
    expect(w.launchTemplates.deleteVersion).not.toHaveBeenCalled();
  });

  it('rolls its own refresh back on the circuit breaker, follows the rollback, removes the version it made', async () => {
    const w = world({
      abandons: 2,
      looks: [
        { status: 'InProgress' },
        { status: 'RollbackInProgress', rollback: {} },
        { status: 'RollbackSuccessful' },
      ],
    });
    const result = await deployRolling(request, w.deps);
    expect(result).toMatchObject({ outcome: 'rolled-back', failure: 'CIRCUIT_BREAKER' });
    expect(w.autoscaling.rollbackInstanceRefresh).toHaveBeenCalledTimes(1);
    expect(w.launchTemplates.deleteVersion).toHaveBeenCalledWith('lt-1', '8');
    expect(w.events.map((e) => e.type)).toEqual(expect.arrayContaining(['circuit-open', 'refresh-rollback']));
  });

  it('never rolls back a refresh that is not its own, even when its own must stop', async () => {
    const w = world({
      abandons: 2,
      looks: [{ status: 'InProgress' }, { status: 'Cancelled' }],
    });
    // Between the look and the rollback, someone else's refresh is the active one.
    w.autoscaling.describeInstanceRefreshes.mockImplementation(async (_g, options) =>
      options?.ids
        ? [{ id: 'ir-ours', group: 'web', status: 'InProgress', percentageComplete: 0 }]
        : [{ id: 'ir-theirs', group: 'web', status: 'InProgress', percentageComplete: 0 }],
    );
    const result = await deployRolling({ ...request, timeoutMs: 20_000, rollbackTimeoutMs: 10_000 }, w.deps);
    expect(w.autoscaling.rollbackInstanceRefresh).not.toHaveBeenCalled();
    expect(result.outcome).toBe('rolled-back');
    expect(w.events.filter((e) => e.type === 'refresh-not-ours').length).toBeGreaterThan(0);
  });
});
