/**
 * StartInstanceRefresh's Preferences: validated as the API reference states the ranges and cross-field rules, with
 * the documented defaults applied (minimum healthy 90 % or the group's instance maintenance policy; maximum
 * healthy absent or the policy's; checkpoint delay one hour; bake time zero; Wait for protected and standby
 * instances). Pure.
 */
import { SimError } from './errors';
import { ProtectedInstances, type RefreshPreferences, StandbyInstances } from './refresh-types';

/** The Preferences members the sim reads, as the SDK shapes them. */
export interface PreferencesInput {
  MinHealthyPercentage?: number;
  MaxHealthyPercentage?: number;
  InstanceWarmup?: number;
  CheckpointPercentages?: number[];
  CheckpointDelay?: number;
  SkipMatching?: boolean;
  AutoRollback?: boolean;
  BakeTime?: number;
  ScaleInProtectedInstances?: string;
  StandbyInstances?: string;
}

/** The group's InstanceMaintenancePolicy, when it has one. */
export interface MaintenancePolicy {
  minHealthyPercentage: number;
  maxHealthyPercentage: number;
}

/** "If you specify a value for CheckpointPercentages and not for CheckpointDelay, the CheckpointDelay defaults to 3600." */
export const DEFAULT_CHECKPOINT_DELAY_SECONDS = 3600;
/** "If you do not specify this property, the default is 90 percent." */
export const DEFAULT_MIN_HEALTHY_PERCENTAGE = 90;
/** CheckpointDelay and BakeTime: "Maximum value of 172800". */
const MAX_WAIT_SECONDS = 172_800;

const coral = (value: unknown, member: string, constraint: string) =>
  new SimError(
    'ValidationError',
    `1 validation error detected: Value '${value}' at 'preferences.${member}' failed to satisfy constraint: ${constraint}`,
  );

const inRange = (value: number | undefined, member: string, min: number, max: number): void => {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min) {
    throw coral(value, member, `Member must have value greater than or equal to ${min}`);
  }
  if (value > max) throw coral(value, member, `Member must have value less than or equal to ${max}`);
};

const oneOf = (value: string | undefined, member: string, allowed: readonly string[]): void => {
  if (value !== undefined && !allowed.includes(value)) {
    throw coral(value, member, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
};

/**
 * The preferences with defaults, or a `ValidationError` naming the first member out of its documented range.
 *
 * @example
 * resolvePreferences({ MinHealthyPercentage: 100, MaxHealthyPercentage: 110 }, undefined);
 */
export function resolvePreferences(
  input: PreferencesInput | undefined,
  policy: MaintenancePolicy | undefined,
): RefreshPreferences {
  const p = input ?? {};
  inRange(p.MinHealthyPercentage, 'minHealthyPercentage', 0, 100);
  inRange(p.MaxHealthyPercentage, 'maxHealthyPercentage', 100, 200);
  inRange(p.InstanceWarmup, 'instanceWarmup', 0, Number.MAX_SAFE_INTEGER);
  inRange(p.CheckpointDelay, 'checkpointDelay', 0, MAX_WAIT_SECONDS);
  inRange(p.BakeTime, 'bakeTime', 0, MAX_WAIT_SECONDS);
  oneOf(p.ScaleInProtectedInstances, 'scaleInProtectedInstances', Object.values(ProtectedInstances));
  oneOf(p.StandbyInstances, 'standbyInstances', Object.values(StandbyInstances));
  if (p.MaxHealthyPercentage !== undefined && p.MinHealthyPercentage === undefined) {
    throw new SimError(
      'ValidationError',
      'You must specify MinHealthyPercentage when you specify MaxHealthyPercentage.',
    );
  }
  const min = p.MinHealthyPercentage ?? policy?.minHealthyPercentage ?? DEFAULT_MIN_HEALTHY_PERCENTAGE;
  const max = p.MaxHealthyPercentage ?? policy?.maxHealthyPercentage;
  if (max !== undefined && max - min > 100) {
    throw new SimError(
      'ValidationError',
      `The difference between MaxHealthyPercentage (${max}) and MinHealthyPercentage (${min}) cannot be greater than 100.`,
    );
  }
  const checkpoints = p.CheckpointPercentages?.length ? p.CheckpointPercentages : undefined;
  if (p.CheckpointDelay !== undefined && !checkpoints) {
    throw new SimError('ValidationError', 'CheckpointDelay requires CheckpointPercentages.');
  }
  checkpoints?.forEach((value, i) => {
    inRange(value, `checkpointPercentages.${i + 1}`, 1, 100);
    if (i > 0 && value <= checkpoints[i - 1]!) {
      throw new SimError('ValidationError', 'CheckpointPercentages must be unique and in ascending order.');
    }
  });
  return {
    minHealthyPercentage: min,
    ...(max !== undefined ? { maxHealthyPercentage: max } : {}),
    ...(p.InstanceWarmup !== undefined ? { instanceWarmup: p.InstanceWarmup } : {}),
    ...(checkpoints
      ? {
          checkpointPercentages: [...checkpoints],
          checkpointDelay: p.CheckpointDelay ?? DEFAULT_CHECKPOINT_DELAY_SECONDS,
        }
      : {}),
    skipMatching: p.SkipMatching ?? false,
    autoRollback: p.AutoRollback ?? false,
    bakeTime: p.BakeTime ?? 0,
    scaleInProtectedInstances: p.ScaleInProtectedInstances ?? ProtectedInstances.Wait,
    standbyInstances: p.StandbyInstances ?? StandbyInstances.Wait,
  };
}

/**
 * The bounds the percentages set, in instances: at least `minHealthy` healthy, at most `maxTotal` in service or
 * pending. Without a maximum (neither given nor in a maintenance policy) Auto Scaling terminates and launches at
 * once, one instance at a time at least; with one that no replacement could honour together with the minimum, it
 * launches one instance before terminating one (temporarily over desired capacity), as RefreshPreferences'
 * MaxHealthyPercentage documents.
 */
export function replacementBounds(
  desired: number,
  preferences: Pick<RefreshPreferences, 'minHealthyPercentage' | 'maxHealthyPercentage'>,
): { minHealthy: number; maxTotal: number } {
  // "rounded up to the nearest integer" for the minimum; the maximum never rounds past what it allows.
  const minHealthy = Math.ceil((desired * preferences.minHealthyPercentage) / 100);
  if (preferences.maxHealthyPercentage === undefined) {
    return { minHealthy: Math.min(minHealthy, Math.max(0, desired - 1)), maxTotal: desired };
  }
  const maxTotal = Math.floor((desired * preferences.maxHealthyPercentage) / 100);
  return { minHealthy, maxTotal: Math.max(maxTotal, minHealthy + 1) };
}
