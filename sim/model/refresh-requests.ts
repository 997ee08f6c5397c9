/**
 * What StartInstanceRefresh, CancelInstanceRefresh and RollbackInstanceRefresh refuse, and with which error: pure
 * checks over the group and its active refresh, as the API reference lists the cases (the messages are the sim's).
 */
import { SimError } from './errors';
import { type InstanceRefreshRecord, RefreshStatus } from './refresh-types';
import type { Group } from './types';

const numbered = (version: string) => /^\d+$/.test(version);

/** ActiveInstanceRefreshNotFound: no active refresh or rollback to act on. */
export const noActiveRefresh = (groupName: string) =>
  new SimError(
    'ActiveInstanceRefreshNotFound',
    `No in progress or pending Instance Refresh found for Auto Scaling group ${groupName}`,
  );

/** Why StartInstanceRefresh cannot start, before its preferences are read. */
export function checkStart(
  group: Group,
  active: InstanceRefreshRecord | undefined,
  input: { strategy?: string; mixedInstancesPolicy?: boolean },
): void {
  if (group.deleting) {
    throw new SimError('ValidationError', `AutoScalingGroup ${group.name} is pending delete.`);
  }
  if (active) {
    throw new SimError(
      'InstanceRefreshInProgress',
      'An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.',
    );
  }
  if (input.strategy !== undefined && input.strategy !== 'Rolling') {
    throw new SimError('ValidationError', `Strategy ${input.strategy} is not supported; use Rolling.`);
  }
  if (input.mixedInstancesPolicy) {
    throw new SimError('ValidationError', 'A MixedInstancesPolicy desired configuration is not supported.');
  }
}

/** AutoRollback needs what a rollback needs: a desired configuration, and a numbered version to return to. */
export function checkAutoRollback(group: Group, hasDesired: boolean): void {
  if (!hasDesired) throw new SimError('ValidationError', 'AutoRollback requires a DesiredConfiguration.');
  if (!numbered(group.launchTemplate.version)) {
    throw new SimError(
      'ValidationError',
      `AutoRollback is not supported: the Auto Scaling group uses the launch template's ${group.launchTemplate.version} version.`,
    );
  }
}

/** Why RollbackInstanceRefresh cannot roll `record` back; the record when it can. */
export function checkRollback(
  group: Group,
  record: InstanceRefreshRecord | undefined,
): InstanceRefreshRecord {
  if (
    !record ||
    record.status === RefreshStatus.Cancelling ||
    record.status === RefreshStatus.RollbackInProgress
  ) {
    throw noActiveRefresh(group.name);
  }
  if (!record.desired) {
    throw new SimError(
      'IrreversibleInstanceRefresh',
      'The instance refresh cannot be rolled back: it was started without a desired configuration.',
    );
  }
  if (!numbered(group.launchTemplate.version)) {
    throw new SimError(
      'IrreversibleInstanceRefresh',
      `The instance refresh cannot be rolled back: the Auto Scaling group uses the launch template's ${group.launchTemplate.version} version.`,
    );
  }
  return record;
}
