/** Auto Scaling's instance refresh operations (awsQuery) over the control plane's instance refreshes. */
import {
  CancelInstanceRefresh$,
  type CancelInstanceRefreshAnswer,
  type CancelInstanceRefreshType,
  DescribeInstanceRefreshes$,
  type DescribeInstanceRefreshesAnswer,
  type DescribeInstanceRefreshesType,
  type InstanceRefresh,
  RollbackInstanceRefresh$,
  type RollbackInstanceRefreshAnswer,
  type RollbackInstanceRefreshType,
  StartInstanceRefresh$,
  type StartInstanceRefreshAnswer,
  type StartInstanceRefreshType,
} from '@aws-sdk/client-auto-scaling';
import type { ControlPlane } from '../model/control-plane';
import { SimError } from '../model/errors';
import type { InstanceRefreshRecord } from '../model/refresh-types';
import { type Operation, operation } from './operation';
import { coralPagingErrors, type PageLimit, pageOf, pageSize } from './paging';

// DescribeInstanceRefreshes: "MaxRecords … The default value is 50 and the maximum value is 100."
const REFRESHES_PAGE: PageLimit = { member: 'maxRecords', default: 50, min: 1, max: 100 };
const errors = coralPagingErrors('ValidationError', 'InvalidNextToken');

const progress = (percentageComplete: number, instancesToUpdate: number) => ({
  LivePoolProgress: { PercentageComplete: percentageComplete, InstancesToUpdate: instancesToUpdate },
});

/** One refresh as DescribeInstanceRefreshes answers it. */
export const refreshView = (r: InstanceRefreshRecord): InstanceRefresh => {
  const p = r.preferences;
  return {
    InstanceRefreshId: r.id,
    AutoScalingGroupName: r.groupName,
    Status: r.status,
    StatusReason: r.statusReason,
    StartTime: new Date(r.startTime),
    EndTime: r.endTime === undefined ? undefined : new Date(r.endTime),
    PercentageComplete: r.percentageComplete,
    InstancesToUpdate: r.instancesToUpdate,
    ProgressDetails: progress(r.percentageComplete, r.instancesToUpdate),
    Preferences: {
      MinHealthyPercentage: p.minHealthyPercentage,
      MaxHealthyPercentage: p.maxHealthyPercentage,
      InstanceWarmup: p.instanceWarmup,
      CheckpointPercentages: p.checkpointPercentages,
      CheckpointDelay: p.checkpointDelay,
      SkipMatching: p.skipMatching,
      AutoRollback: p.autoRollback,
      BakeTime: p.bakeTime,
      ScaleInProtectedInstances: p.scaleInProtectedInstances as never,
      StandbyInstances: p.standbyInstances as never,
    },
    DesiredConfiguration: r.desired
      ? {
          LaunchTemplate: {
            LaunchTemplateId: r.desired.id,
            LaunchTemplateName: r.desired.name,
            Version: r.desired.version,
          },
        }
      : undefined,
    RollbackDetails: r.rollback
      ? {
          RollbackReason: r.rollback.reason,
          RollbackStartTime: new Date(r.rollback.startTime),
          PercentageCompleteOnRollback: r.rollback.percentageCompleteOnRollback,
          InstancesToUpdateOnRollback: r.rollback.instancesToUpdateOnRollback,
          ProgressDetailsOnRollback: progress(
            r.rollback.percentageCompleteOnRollback,
            r.rollback.instancesToUpdateOnRollback,
          ),
        }
      : undefined,
    Strategy: 'Rolling',
  };
};

/** The four operations by action name. */
export const instanceRefreshOperations = (cp: ControlPlane): Record<string, Operation> => {
  const refreshes = cp.instanceRefreshes;
  return {
    StartInstanceRefresh: operation(
      StartInstanceRefresh$,
      (i: StartInstanceRefreshType): StartInstanceRefreshAnswer => {
        const desired = i.DesiredConfiguration;
        const lt = desired?.LaunchTemplate;
        if (desired && !lt && !desired.MixedInstancesPolicy) {
          throw new SimError(
            'ValidationError',
            'A desired configuration must specify either a LaunchTemplate or a MixedInstancesPolicy.',
          );
        }
        const record = refreshes.start({
          groupName: i.AutoScalingGroupName!,
          ...(i.Strategy ? { strategy: i.Strategy } : {}),
          ...(lt
            ? { desired: { id: lt.LaunchTemplateId, name: lt.LaunchTemplateName, version: lt.Version } }
            : {}),
          mixedInstancesPolicy: desired?.MixedInstancesPolicy !== undefined,
          ...(i.Preferences ? { preferences: i.Preferences } : {}),
        });
        return { InstanceRefreshId: record.id };
      },
    ),
    DescribeInstanceRefreshes: operation(
      DescribeInstanceRefreshes$,
      (i: DescribeInstanceRefreshesType): DescribeInstanceRefreshesAnswer => {
        const size = pageSize(i.MaxRecords, REFRESHES_PAGE, errors)!;
        // Newest first; a refresh's place in the history never changes, so it keys the pages.
        const rows = refreshes.describe(i.AutoScalingGroupName!, i.InstanceRefreshIds ?? []);
        const { page, next } = pageOf(
          rows,
          (r) => String(Number.MAX_SAFE_INTEGER - r.seq).padStart(16, '0'),
          { size, token: i.NextToken },
          errors,
        );
        return { InstanceRefreshes: page.map(refreshView), NextToken: next };
      },
    ),
    CancelInstanceRefresh: operation(
      CancelInstanceRefresh$,
      (i: CancelInstanceRefreshType): CancelInstanceRefreshAnswer => ({
        InstanceRefreshId: refreshes.cancel(i.AutoScalingGroupName!, i.WaitForTransitioningInstances ?? true)
          .id,
      }),
    ),
    RollbackInstanceRefresh: operation(
      RollbackInstanceRefresh$,
      (i: RollbackInstanceRefreshType): RollbackInstanceRefreshAnswer => ({
        InstanceRefreshId: refreshes.rollback(i.AutoScalingGroupName!).id,
      }),
    ),
  };
};
