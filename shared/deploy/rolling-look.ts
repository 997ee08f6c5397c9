/**
 * What the rolling driver makes of each look at its refresh and group: the timeline's events for what changed
 * (instance states, the refresh's status and progress, abandons, serving capacity) and the observation the
 * judgement reads. Holds only what it must compare with the previous look.
 */
import type { InstanceRefreshDescription } from '../aws';
import type { DeployEvent } from './events';
import { healthTerminations } from './health-terminations';
import { diffStates, type GroupLook } from './observe';
import type { RollingObservation } from './rolling-judge';

/** Turns looks into events and observations. */
export interface RollingLooks {
  /** Emits what changed since the last look; the abandons counted so far. */
  report(refresh: InstanceRefreshDescription, look: GroupLook): void;
  /** The judgement's view of one look. */
  observation(
    refresh: InstanceRefreshDescription,
    look: GroupLook,
    context: {
      templateVersion: string;
      elapsedMs: number;
      now: number;
      verdict?: RollingObservation['verdict'];
    },
  ): RollingObservation;
  readonly abandons: number;
}

/**
 * One per deploy.
 *
 * @example
 * const looks = createRollingLooks({ group: 'web', desiredCapacity: 3, maxAbandons: 2, emit, now });
 */
export function createRollingLooks(o: {
  group: string;
  desiredCapacity: number;
  maxAbandons: number;
  emit: (event: DeployEvent) => void;
  now: () => number;
}): RollingLooks {
  const states = new Map<string, string>();
  let lastStatus = '';
  let lastCapacity = '';
  let abandons = 0;
  const { group, emit } = o;
  return {
    get abandons() {
      return abandons;
    },
    report(refresh, look) {
      const time = o.now();
      diffStates(states, look.instances, (instanceId, from, to) => {
        const launched = look.description.instances.find((i) => i.instanceId === instanceId);
        emit({
          type: 'instance-state',
          time,
          group,
          instanceId,
          ...(from ? { from } : {}),
          to,
          ...(launched?.launchTemplateVersion
            ? { launchTemplateVersion: launched.launchTemplateVersion }
            : {}),
        });
      });
      const statusKey = `${refresh.status}|${refresh.percentageComplete}|${refresh.statusReason ?? ''}`;
      if (statusKey !== lastStatus) {
        lastStatus = statusKey;
        emit({
          type: 'refresh-status',
          time,
          group,
          refreshId: refresh.id,
          status: refresh.status,
          percentageComplete: refresh.percentageComplete,
          ...(refresh.instancesToUpdate !== undefined
            ? { instancesToUpdate: refresh.instancesToUpdate }
            : {}),
          ...(refresh.statusReason ? { statusReason: refresh.statusReason } : {}),
        });
      }
      if (look.abandons > abandons) {
        abandons = look.abandons;
        emit({ type: 'launch-abandoned', time, group, abandons, maxAbandons: o.maxAbandons });
      }
      const inService = look.instances.filter((i) => i.lifecycleState === 'InService');
      const serving = inService.filter((i) => i.lbHealthy).length;
      const capacityKey = `${inService.length}/${serving}`;
      if (capacityKey !== lastCapacity) {
        lastCapacity = capacityKey;
        emit({
          type: 'capacity',
          time,
          group,
          desired: o.desiredCapacity,
          inService: inService.length,
          lbHealthy: serving,
        });
      }
    },
    observation(refresh, look, context) {
      const lbHealthy = new Map(look.instances.map((i) => [i.instanceId, i.lbHealthy]));
      return {
        elapsedMs: context.elapsedMs,
        status: refresh.status,
        percentageComplete: refresh.percentageComplete,
        ...(refresh.statusReason ? { statusReason: refresh.statusReason } : {}),
        rollingBack: refresh.rollback !== undefined,
        newInstances: look.description.instances
          .filter((i) => i.launchTemplateVersion === context.templateVersion)
          .map((i) => ({
            instanceId: i.instanceId,
            lifecycleState: i.lifecycleState,
            lbHealthy: lbHealthy.get(i.instanceId) ?? false,
          })),
        settled: look.instances.every((i) => i.lifecycleState !== 'InService' || i.lbHealthy),
        abandons: look.abandons,
        unhealthy: healthTerminations(look.activities),
        ...(context.verdict ? { verdict: context.verdict } : {}),
        now: context.now,
      };
    },
  };
}
