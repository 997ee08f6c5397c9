import { describe, expect, it } from 'vitest';
import {
  canaryCheckpoints,
  DeployRequestError,
  healthTerminations,
  rollingPreferences,
} from '../../../shared/deploy';

describe('rolling preferences', () => {
  it('launch before terminate, AutoRollback, every instance, a canary checkpoint and a bake time by default', () => {
    expect(rollingPreferences(3, 1)).toEqual({
      minHealthyPercentage: 100,
      maxHealthyPercentage: 100,
      checkpointPercentages: [33, 100],
      checkpointDelaySeconds: 600,
      skipMatching: false,
      autoRollback: true,
      bakeTimeSeconds: 300,
    });
  });

  it('puts the checkpoint right after the canary, and none where the group cannot hold a canary back', () => {
    expect(canaryCheckpoints(2, 1)).toEqual([50, 100]);
    expect(canaryCheckpoints(10, 2)).toEqual([20, 100]);
    expect(canaryCheckpoints(3, 2)).toEqual([66, 100]);
    expect(canaryCheckpoints(1, 1)).toBeUndefined();
    expect(rollingPreferences(1, 1).checkpointPercentages).toBeUndefined();
  });

  it('takes overrides within the API ranges, never turning AutoRollback off', () => {
    const prefs = rollingPreferences(4, 1, {
      minHealthyPercentage: 90,
      maxHealthyPercentage: 150,
      instanceWarmupSeconds: 0,
      checkpointDelaySeconds: 30,
      bakeTimeSeconds: 0,
    });
    expect(prefs).toMatchObject({
      minHealthyPercentage: 90,
      maxHealthyPercentage: 150,
      instanceWarmupSeconds: 0,
    });
    expect(prefs).toMatchObject({ checkpointDelaySeconds: 30, bakeTimeSeconds: 0, autoRollback: true });
    expect(() => rollingPreferences(3, 1, { minHealthyPercentage: 10, maxHealthyPercentage: 150 })).toThrow(
      DeployRequestError,
    );
    expect(() => rollingPreferences(3, 1, { checkpointPercentages: [50, 90] })).toThrow(/last 100/);
  });
});

describe('healthTerminations', () => {
  it('names the instances a health check took out of service, not those a refresh or a scale-in replaced', () => {
    const terminating = (id: string, cause: string) => ({
      activityId: id,
      statusCode: 'Successful',
      description: `Terminating EC2 instance: ${id}`,
      cause: `At 2026-01-01T00:00:00Z ${cause}.`,
    });
    expect(
      healthTerminations([
        terminating('i-0a', 'an instance was taken out of service in response to a user health-check'),
        terminating('i-0b', 'an instance was taken out of service in response to an instance refresh'),
        terminating(
          'i-0c',
          'an instance was taken out of service in response to an ELB system health check failure',
        ),
        terminating(
          'i-0d',
          'a user request explicitly set group desired capacity changing the desired capacity to 2',
        ),
      ]),
    ).toEqual(['i-0a', 'i-0c']);
  });
});
