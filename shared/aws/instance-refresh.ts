/**
 * Instance refreshes as healthgate reads and starts them: the SDK's shapes reduced to what the rolling deploy
 * needs, and back. Pure; the calls themselves are the Auto Scaling adapter's.
 */
import type { InstanceRefresh, RefreshPreferences } from '@aws-sdk/client-auto-scaling';
import { compact } from './compact';

/** `InstanceRefreshStatus`: a closed set (an unknown value from a newer API reads as itself). */
export const RefreshStatus = {
  Pending: 'Pending',
  InProgress: 'InProgress',
  Baking: 'Baking',
  Successful: 'Successful',
  Failed: 'Failed',
  Cancelling: 'Cancelling',
  Cancelled: 'Cancelled',
  RollbackInProgress: 'RollbackInProgress',
  RollbackFailed: 'RollbackFailed',
  RollbackSuccessful: 'RollbackSuccessful',
} as const;
export type RefreshStatus = (typeof RefreshStatus)[keyof typeof RefreshStatus];

/** Whether a refresh in `status` is active: it blocks another StartInstanceRefresh and can be cancelled. */
export function isActiveRefreshStatus(status: string): boolean {
  return (
    status === RefreshStatus.Pending ||
    status === RefreshStatus.InProgress ||
    status === RefreshStatus.Baking ||
    status === RefreshStatus.Cancelling ||
    status === RefreshStatus.RollbackInProgress
  );
}

/** The preferences healthgate sets, in its own words (seconds and percentages as the API takes them). */
export interface RefreshPreferenceInput {
  minHealthyPercentage: number;
  maxHealthyPercentage?: number;
  instanceWarmupSeconds?: number;
  checkpointPercentages?: readonly number[];
  checkpointDelaySeconds?: number;
  skipMatching?: boolean;
  autoRollback?: boolean;
  bakeTimeSeconds?: number;
}

/** StartInstanceRefresh's input, in healthgate's words. */
export interface StartRefreshInput {
  group: string;
  /** The desired configuration: a launch template and a numbered version (what a rollback needs). */
  launchTemplate: { id?: string; name?: string; version: string };
  preferences: RefreshPreferenceInput;
}

/** One instance refresh, reduced to what healthgate reads. */
export interface InstanceRefreshDescription {
  id: string;
  group: string;
  status: string;
  statusReason?: string;
  startTime?: Date;
  endTime?: Date;
  percentageComplete: number;
  instancesToUpdate?: number;
  /** The checkpoints it was started with (none: it replaces without pausing). */
  checkpointPercentages?: number[];
  checkpointDelaySeconds?: number;
  autoRollback?: boolean;
  /** The launch template version it rolls out, when it was given one. */
  desiredLaunchTemplate?: { id?: string; name?: string; version?: string };
  /** Set once a rollback (manual or automatic) began. */
  rollback?: { reason?: string; startTime?: Date; percentageCompleteOnRollback?: number };
}

/** The SDK's Preferences for `input`. */
export function toSdkPreferences(input: RefreshPreferenceInput): RefreshPreferences {
  return compact({
    MinHealthyPercentage: input.minHealthyPercentage,
    MaxHealthyPercentage: input.maxHealthyPercentage,
    InstanceWarmup: input.instanceWarmupSeconds,
    CheckpointPercentages: input.checkpointPercentages?.length ? [...input.checkpointPercentages] : undefined,
    CheckpointDelay: input.checkpointPercentages?.length ? input.checkpointDelaySeconds : undefined,
    SkipMatching: input.skipMatching,
    AutoRollback: input.autoRollback,
    BakeTime: input.bakeTimeSeconds,
  });
}

/** One refresh from DescribeInstanceRefreshes. */
export function toRefreshDescription(refresh: InstanceRefresh, group: string): InstanceRefreshDescription {
  const lt = refresh.DesiredConfiguration?.LaunchTemplate;
  const rollback = refresh.RollbackDetails;
  return compact({
    id: refresh.InstanceRefreshId ?? '',
    group: refresh.AutoScalingGroupName ?? group,
    status: refresh.Status ?? '',
    statusReason: refresh.StatusReason,
    startTime: refresh.StartTime,
    endTime: refresh.EndTime,
    percentageComplete: refresh.PercentageComplete ?? 0,
    instancesToUpdate: refresh.InstancesToUpdate,
    checkpointPercentages: refresh.Preferences?.CheckpointPercentages,
    checkpointDelaySeconds: refresh.Preferences?.CheckpointDelay,
    autoRollback: refresh.Preferences?.AutoRollback,
    desiredLaunchTemplate: lt
      ? compact({ id: lt.LaunchTemplateId, name: lt.LaunchTemplateName, version: lt.Version })
      : undefined,
    rollback:
      rollback && (rollback.RollbackStartTime || rollback.RollbackReason)
        ? compact({
            reason: rollback.RollbackReason,
            startTime: rollback.RollbackStartTime,
            percentageCompleteOnRollback: rollback.PercentageCompleteOnRollback,
          })
        : undefined,
  });
}
