/**
 * The rolling deploy's instance refresh preferences: safe by default, pure. Launch before terminate (minimum and
 * maximum healthy 100 %: RefreshPreferences documents that bounds no replacement can honour together make Auto
 * Scaling launch one instance before it terminates one), AutoRollback always, every instance replaced (skip
 * matching cannot see a change of user data), a checkpoint after the canary when the group is big enough for one,
 * and a bake time: the last window in which a `rollback` verdict can still roll the refresh back.
 */
import type { RefreshPreferenceInput } from '../aws';
import { DeployRequestError } from './errors';
import type { RefreshSettings } from './events';

/** What an operator may change; AutoRollback and skip matching are not theirs to turn off. */
export interface RollingPreferenceOverrides {
  minHealthyPercentage?: number;
  maxHealthyPercentage?: number;
  instanceWarmupSeconds?: number;
  /** The pause after the canary, and after each further checkpoint. */
  checkpointDelaySeconds?: number;
  /** Replaces the canary checkpoint; the last must be 100 (the whole group). */
  checkpointPercentages?: readonly number[];
  bakeTimeSeconds?: number;
}

/** The defaults, in seconds and percent. */
export const ROLLING_DEFAULTS = {
  minHealthyPercentage: 100,
  maxHealthyPercentage: 100,
  /** Long enough for the rollback check to judge the canary on its load balancer. */
  checkpointDelaySeconds: 600,
  bakeTimeSeconds: 300,
} as const;

/**
 * The checkpoint after `canary` of `capacity` instances: the largest whole percentage `canary` replacements reach
 * (so the refresh pauses right after them), then 100. None when the group is too small to hold a canary back.
 *
 * @example
 * canaryCheckpoints(3, 1); // [33, 100]
 */
export function canaryCheckpoints(capacity: number, canary: number): number[] | undefined {
  if (canary >= capacity) return undefined;
  const first = Math.floor((100 * canary) / capacity);
  return first >= 1 ? [first, 100] : undefined;
}

/**
 * The preferences of a rolling deploy's refresh.
 *
 * @throws {DeployRequestError} for an override outside the API's ranges (named, before any call).
 */
export function rollingPreferences(
  capacity: number,
  canary: number,
  overrides: RollingPreferenceOverrides = {},
): RefreshPreferenceInput {
  const min = overrides.minHealthyPercentage ?? ROLLING_DEFAULTS.minHealthyPercentage;
  const max = overrides.maxHealthyPercentage ?? ROLLING_DEFAULTS.maxHealthyPercentage;
  if (!Number.isInteger(min) || min < 0 || min > 100) {
    throw new DeployRequestError('minHealthyPercentage', 'must be an integer from 0 to 100');
  }
  if (!Number.isInteger(max) || max < 100 || max > 200 || max - min > 100) {
    throw new DeployRequestError(
      'maxHealthyPercentage',
      'must be an integer from 100 to 200, at most 100 above minHealthyPercentage',
    );
  }
  const checkpoints = overrides.checkpointPercentages
    ? [...overrides.checkpointPercentages]
    : canaryCheckpoints(capacity, canary);
  if (
    checkpoints &&
    (checkpoints.at(-1) !== 100 ||
      checkpoints.some((p, i) => !Number.isInteger(p) || p < 1 || (i > 0 && p <= checkpoints[i - 1]!)))
  ) {
    throw new DeployRequestError(
      'checkpointPercentages',
      'must be ascending whole percentages from 1, the last 100 (the whole group)',
    );
  }
  return {
    minHealthyPercentage: min,
    maxHealthyPercentage: max,
    ...(overrides.instanceWarmupSeconds !== undefined
      ? { instanceWarmupSeconds: overrides.instanceWarmupSeconds }
      : {}),
    ...(checkpoints
      ? {
          checkpointPercentages: checkpoints,
          checkpointDelaySeconds: overrides.checkpointDelaySeconds ?? ROLLING_DEFAULTS.checkpointDelaySeconds,
        }
      : {}),
    skipMatching: false,
    autoRollback: true,
    bakeTimeSeconds: overrides.bakeTimeSeconds ?? ROLLING_DEFAULTS.bakeTimeSeconds,
  };
}

/** The preferences as the deploy's timeline shows them. */
export function refreshSettings(prefs: RefreshPreferenceInput): RefreshSettings {
  return {
    minHealthyPercentage: prefs.minHealthyPercentage,
    ...(prefs.maxHealthyPercentage !== undefined ? { maxHealthyPercentage: prefs.maxHealthyPercentage } : {}),
    ...(prefs.checkpointPercentages?.length
      ? {
          checkpointPercentages: [...prefs.checkpointPercentages],
          ...(prefs.checkpointDelaySeconds !== undefined
            ? { checkpointDelaySeconds: prefs.checkpointDelaySeconds }
            : {}),
        }
      : {}),
    ...(prefs.bakeTimeSeconds ? { bakeTimeSeconds: prefs.bakeTimeSeconds } : {}),
    ...(prefs.instanceWarmupSeconds !== undefined
      ? { instanceWarmupSeconds: prefs.instanceWarmupSeconds }
      : {}),
    autoRollback: prefs.autoRollback ?? false,
  };
}

/** A refresh back to the previous version: the same bounds, straight through, nothing to roll back to. */
export function restorePreferences(prefs: RefreshPreferenceInput): RefreshPreferenceInput {
  const { checkpointPercentages: _checkpoints, checkpointDelaySeconds: _delay, ...rest } = prefs;
  return { ...rest, autoRollback: false, bakeTimeSeconds: 0 };
}
