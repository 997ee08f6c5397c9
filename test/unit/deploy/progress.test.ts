import { describe, expect, it } from 'vitest';
import { assessProgress, createGroupInput } from '../../../shared/deploy';
import { FLEET_SETTINGS } from '../../../shared/fleet/settings';

const inst = (lifecycleState: string, lbHealthy = false, instanceId = `i-${Math.random()}`) => ({
  instanceId,
  lifecycleState,
  lbHealthy,
});
const limits = { maxAbandons: 3, timeoutMs: 60_000 };

describe('assessProgress', () => {
  it('waits while instances launch or the LB has not counted them healthy', () => {
    const p = assessProgress(
      {
        desiredCapacity: 2,
        instances: [inst('Pending:Wait'), inst('InService', false)],
        abandons: 0,
        elapsedMs: 1,
      },
      limits,
    );
    expect(p).toMatchObject({ state: 'waiting', inService: 1, lbHealthy: 0 });
    expect(p.detail).toBe('1/2 InService, 0/2 healthy on the load balancer, 1 launching');
  });

  it('is at capacity when every desired instance is InService and LB-healthy, nothing launching', () => {
    expect(
      assessProgress(
        {
          desiredCapacity: 2,
          instances: [inst('InService', true), inst('InService', true)],
          abandons: 1,
          elapsedMs: 1,
        },
        limits,
      ).state,
    ).toBe('capacity');
    // A replacement still launching holds the verdict back.
    expect(
      assessProgress(
        {
          desiredCapacity: 2,
          instances: [inst('InService', true), inst('InService', true), inst('Pending:Wait')],
          abandons: 0,
          elapsedMs: 1,
        },
        limits,
      ).state,
    ).toBe('waiting');
  });

  it('trips the circuit breaker at maxAbandons, before anything else', () => {
    const p = assessProgress(
      { desiredCapacity: 1, instances: [inst('InService', true)], abandons: 3, elapsedMs: 999_999 },
      limits,
    );
    expect(p).toMatchObject({ state: 'failed', failure: 'CIRCUIT_BREAKER' });
    expect(
      assessProgress({ desiredCapacity: 1, instances: [], abandons: 2, elapsedMs: 1 }, limits).state,
    ).toBe('waiting');
  });

  it('times out when capacity does not come', () => {
    const p = assessProgress(
      { desiredCapacity: 1, instances: [inst('Pending:Wait')], abandons: 0, elapsedMs: 60_000 },
      limits,
    );
    expect(p).toMatchObject({ state: 'failed', failure: 'TIMEOUT' });
    expect(p.detail).toMatch(/no capacity with a proceed verdict after 60 s/);
  });
});

describe('createGroupInput', () => {
  it('names the template by name when no id is given and tags the version', () => {
    const input = createGroupInput(
      {
        groupName: 'g',
        version: 'v9',
        launchTemplate: { name: 'web', version: '$Latest' },
        desiredCapacity: 3,
        maxSize: 6,
        targetGroupArns: ['arn:tg'],
      },
      FLEET_SETTINGS,
    );
    expect(input).toMatchObject({
      LaunchTemplate: { LaunchTemplateName: 'web', Version: '$Latest' },
      MinSize: 3,
      MaxSize: 6,
      TargetGroupARNs: ['arn:tg'],
    });
    expect(input.LoadBalancerNames).toBeUndefined();
    expect(input.Tags).toEqual([
      {
        Key: 'healthgate:version',
        Value: 'v9',
        PropagateAtLaunch: true,
        ResourceId: 'g',
        ResourceType: 'auto-scaling-group',
      },
    ]);
  });
});
