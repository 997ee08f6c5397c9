/**
 * Instance refresh: a rolling replacement of a group's instances with a new configuration, as the Auto Scaling
 * user guide describes it. Replacements are ordinary launches of the group (through its launching lifecycle
 * hooks, Pending:Wait and all); an old instance goes only while the minimum healthy percentage holds, and the
 * group holds at most the maximum healthy percentage; a replacement counts as updated once it is InService,
 * healthy (on its load balancers too when the group uses ELB health checks) and warmed up. Checkpoints pause
 * the replacement, bake time holds the end, and a refresh whose replacements keep failing fails (and rolls back
 * when AutoRollback is set). A rollback is the same replacement in reverse, back to the group's configuration.
 */
import type { SimChange, SimEvents } from '../events';
import type { AutoScaling } from './autoscaling';
import type { IdGenerator } from './ids';
import type { LaunchTemplates } from './launch-templates';
import type { LoadBalancers } from './load-balancers';
import { planStep } from './refresh-plan';
import { type PreferencesInput, replacementBounds, resolvePreferences } from './refresh-preferences';
import { phaseProgress } from './refresh-progress';
import { checkAutoRollback, checkRollback, checkStart, noActiveRefresh } from './refresh-requests';
import {
  ACTIVE_REFRESH_STATUSES,
  type InstanceRefreshRecord,
  type RefreshPhase,
  RefreshStatus,
} from './refresh-types';
import type { Cancel, Scheduler } from './scheduler';
import { HealthStatus, type Instance, type LaunchTemplateRef, LifecycleState } from './types';

/**
 * Replacements of one phase that may fail before the phase fails. AWS fails a refresh on failed launches and
 * failed health checks without publishing how many it tolerates; this is the sim's number.
 */
export const DEFAULT_FAILED_REPLACEMENT_LIMIT = 3;

/** How often an active refresh looks at its group, in the model's seconds (warmups and pauses end on it). */
const TICK_SECONDS = 1;

/** The causes the refresh gives Auto Scaling for what it does (the activities' wording). */
const LAUNCH_CAUSE = 'an instance was launched in response to an instance refresh';
const TERMINATE_CAUSE = 'an instance was taken out of service in response to an instance refresh';

const LEAVING = new Set<string>([
  LifecycleState.Terminating,
  LifecycleState.TerminatingWait,
  LifecycleState.TerminatingProceed,
  LifecycleState.Terminated,
]);
const LAUNCHING = new Set<string>([
  LifecycleState.Pending,
  LifecycleState.PendingWait,
  LifecycleState.PendingProceed,
]);

export interface InstanceRefreshesOptions {
  scheduler: Scheduler;
  events: SimEvents;
  ids: IdGenerator;
  autoscaling: AutoScaling;
  launchTemplates: LaunchTemplates;
  loadBalancers: LoadBalancers;
  msPerSecond: number;
  failedReplacementLimit?: number;
}

/** What StartInstanceRefresh takes. */
export interface StartRefreshInput {
  groupName: string;
  strategy?: string;
  desired?: { id?: string; name?: string; version?: string };
  /** A MixedInstancesPolicy desired configuration (not emulated: refused). */
  mixedInstancesPolicy?: boolean;
  preferences?: PreferencesInput;
}

/** The instance refreshes of every group, newest last per group. */
export class InstanceRefreshes {
  private readonly byGroup = new Map<string, InstanceRefreshRecord[]>();
  private readonly timers = new Map<string, Cancel>();
  private readonly limit: number;
  private started = 0;

  constructor(private readonly o: InstanceRefreshesOptions) {
    this.limit = o.failedReplacementLimit ?? DEFAULT_FAILED_REPLACEMENT_LIMIT;
    o.events.on('change', (change) => this.observe(change));
  }

  /** The group's active refresh (or rollback), if any. */
  active(groupName: string): InstanceRefreshRecord | undefined {
    return this.byGroup.get(groupName)?.find((r) => ACTIVE_REFRESH_STATUSES.has(r.status));
  }

  /** The group's refreshes, newest first, optionally only the named ones. */
  describe(groupName: string, ids: readonly string[] = []): InstanceRefreshRecord[] {
    this.o.autoscaling.getGroup(groupName);
    return [...(this.byGroup.get(groupName) ?? [])]
      .reverse()
      .filter((r) => ids.length === 0 || ids.includes(r.id));
  }

  /** StartInstanceRefresh. */
  start(input: StartRefreshInput): InstanceRefreshRecord {
    const group = this.o.autoscaling.getGroup(input.groupName);
    checkStart(group, this.active(group.name), input);
    const preferences = resolvePreferences(input.preferences, group.maintenancePolicy);
    const desired = input.desired ? this.numbered(input.desired) : undefined;
    if (preferences.autoRollback) checkAutoRollback(group, desired !== undefined);
    const target = desired ?? this.numbered(group.launchTemplate);
    const now = this.o.scheduler.now();
    const record: InstanceRefreshRecord = {
      id: this.o.ids.uuid(),
      seq: this.started++,
      groupName: group.name,
      status: RefreshStatus.Pending,
      startTime: now,
      percentageComplete: 0,
      instancesToUpdate: 0,
      preferences,
      ...(input.desired ? { desired: this.asGiven(input.desired) } : {}),
      previous: { ...group.launchTemplate },
      phase: this.phase(group.name, target, preferences.skipMatching),
      nextCheckpoint: 0,
    };
    record.instancesToUpdate = record.phase.total;
    this.byGroup.set(group.name, [...(this.byGroup.get(group.name) ?? []), record]);
    this.o.autoscaling.setRefreshLaunch(group.name, target, 0);
    this.emit(record);
    this.schedule(group.name, 0);
    return record;
  }

  /** CancelInstanceRefresh: stops the refresh (or its rollback); nothing is rolled back. */
  cancel(groupName: string, waitForTransitioning = true): InstanceRefreshRecord {
    this.o.autoscaling.getGroup(groupName);
    const record = this.active(groupName);
    if (!record) throw noActiveRefresh(groupName);
    if (record.status !== RefreshStatus.Cancelling) {
      record.status = RefreshStatus.Cancelling;
      record.statusReason = 'Cancelling the instance refresh.';
      record.waitForTransitioning = waitForTransitioning;
      record.pausedUntil = undefined;
      this.emit(record);
    }
    this.schedule(groupName, 0);
    return record;
  }

  /** RollbackInstanceRefresh: replaces what the refresh deployed so far with the group's configuration. */
  rollback(groupName: string): InstanceRefreshRecord {
    const record = checkRollback(this.o.autoscaling.getGroup(groupName), this.active(groupName));
    this.beginRollback(record, 'Rollback started by a RollbackInstanceRefresh request.');
    return record;
  }

  /** Cancels every timer (on close). */
  stop(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  private numbered(ref: { id?: string; name?: string; version?: string }): LaunchTemplateRef {
    const template = this.o.launchTemplates.get(ref);
    const version = this.o.launchTemplates.resolve(template, ref.version ?? '$Default');
    return { id: template.id, name: template.name, version: String(version.versionNumber) };
  }

  private asGiven(ref: { id?: string; name?: string; version?: string }): LaunchTemplateRef {
    const template = this.o.launchTemplates.get(ref);
    return { id: template.id, name: template.name, version: ref.version ?? '$Default' };
  }

  private matches(instance: Instance, target: LaunchTemplateRef): boolean {
    return (
      instance.launchTemplate.id === target.id && String(instance.launchTemplate.version) === target.version
    );
  }

  private live(groupName: string): Instance[] {
    return this.o.autoscaling.groupInstances(groupName).filter((i) => !LEAVING.has(i.lifecycleState));
  }

  private phase(groupName: string, target: LaunchTemplateRef, skipMatching: boolean): RefreshPhase {
    const live = this.live(groupName);
    const toReplace = live.filter((i) => !(skipMatching && this.matches(i, target)));
    return {
      target,
      toReplace: new Set(toReplace.map((i) => i.instanceId)),
      total: toReplace.length,
      replaced: new Set(),
      launched: new Set(),
      failures: 0,
      inServiceAt: new Map(),
    };
  }

  /** Follows the group's instances: replacements launched, and replacements lost before they counted. */
  private observe(change: SimChange): void {
    const groupName =
      change.kind === 'instance' || change.kind === 'launch-failed' ? change.groupName : undefined;
    const record = groupName ? this.active(groupName) : undefined;
    if (!record || record.status === RefreshStatus.Cancelling) return;
    const phase = record.phase;
    if (change.kind === 'launch-failed') {
      this.failure(record, change.reason);
    } else if (change.kind === 'instance') {
      const instance = this.o.autoscaling.instances.get(change.instanceId);
      if (change.to === LifecycleState.Pending && instance && this.matches(instance, phase.target)) {
        phase.launched.add(change.instanceId);
      }
      if (change.to === LifecycleState.InService && phase.launched.has(change.instanceId)) {
        phase.inServiceAt.set(change.instanceId, change.time);
      }
      if (change.to === LifecycleState.Terminating && phase.launched.has(change.instanceId)) {
        this.failure(record, change.cause);
      }
    }
    this.schedule(record.groupName, 0);
  }

  private failure(record: InstanceRefreshRecord, cause: string): void {
    record.phase.failures += 1;
    record.phase.lastFailure = cause;
  }

  private schedule(groupName: string, delayMs: number): void {
    this.timers.get(groupName)?.();
    const cancel = this.o.scheduler.schedule(delayMs, () => {
      if (this.timers.get(groupName) === cancel) this.timers.delete(groupName);
      this.tick(groupName);
    });
    this.timers.set(groupName, cancel);
  }

  private tick(groupName: string): void {
    const record = this.active(groupName);
    if (!record) return;
    const group = this.o.autoscaling.groups.get(groupName);
    if (!group || group.deleting) {
      this.finish(record, RefreshStatus.Cancelled, 'The Auto Scaling group is being deleted.');
      return;
    }
    if (record.status === RefreshStatus.Cancelling) {
      const transitioning = this.live(groupName).some(
        (i) => record.phase.launched.has(i.instanceId) && LAUNCHING.has(i.lifecycleState),
      );
      if (record.waitForTransitioning !== false && transitioning) {
        this.schedule(groupName, TICK_SECONDS * this.o.msPerSecond);
        return;
      }
      this.finish(record, RefreshStatus.Cancelled, 'The instance refresh was cancelled.');
      return;
    }
    if (record.status === RefreshStatus.Pending) record.status = RefreshStatus.InProgress;
    if (record.phase.failures >= this.limit) {
      this.fail(record);
      return;
    }
    this.step(record);
    if (this.active(groupName) === record) this.schedule(groupName, TICK_SECONDS * this.o.msPerSecond);
  }

  private step(record: InstanceRefreshRecord): void {
    const group = this.o.autoscaling.getGroup(record.groupName);
    const { phase, preferences } = record;
    const now = this.o.scheduler.now();
    const rollingBack = record.status === RefreshStatus.RollbackInProgress;
    const elb = group.healthCheckType === 'ELB';
    const servesHealthy = (i: Instance) =>
      i.lifecycleState === LifecycleState.InService &&
      i.healthStatus === HealthStatus.Healthy &&
      (!elb ||
        this.o.loadBalancers.healthyOnAll(i.instanceId, group.loadBalancerNames, group.targetGroupArns));
    const warmupMs =
      (preferences.instanceWarmup ?? group.defaultInstanceWarmup ?? group.healthCheckGracePeriod) *
      this.o.msPerSecond;
    const { old, fresh, skipped, updated } = phaseProgress(
      phase,
      this.live(group.name).map((i) => ({
        id: i.instanceId,
        launchTime: i.launchTime,
        matchesTarget: this.matches(i, phase.target),
        servesHealthy: servesHealthy(i),
        ...(i.inServiceAt !== undefined ? { inServiceAt: i.inServiceAt } : {}),
      })),
      { desired: group.desiredCapacity, now, warmupMs },
    );
    const percent = phase.total === 0 ? 100 : Math.floor((100 * updated) / phase.total);
    record.instancesToUpdate = phase.total - updated;
    record.percentageComplete = rollingBack
      ? Math.floor(
          ((record.rollback?.percentageCompleteOnRollback ?? 0) * (phase.total - updated)) /
            Math.max(1, phase.total),
        )
      : percent;

    const checkpoints = rollingBack ? [100] : (preferences.checkpointPercentages ?? [100]);
    const countFor = (percentage: number) => Math.floor((phase.total * percentage + 99) / 100);
    let reached: number | undefined;
    while (record.nextCheckpoint < checkpoints.length && percent >= checkpoints[record.nextCheckpoint]!) {
      reached = checkpoints[record.nextCheckpoint];
      record.nextCheckpoint += 1;
    }
    const last = checkpoints.at(-1)!;
    if (updated >= countFor(last) && record.nextCheckpoint >= checkpoints.length) {
      this.complete(record);
      return;
    }
    if (reached !== undefined) {
      record.pausedUntil = now + (preferences.checkpointDelay ?? 0) * this.o.msPerSecond;
      record.statusReason = `Checkpoint ${reached}% reached: waiting ${preferences.checkpointDelay ?? 0} seconds before continuing.`;
      this.emit(record, reached);
    }
    const paused = record.pausedUntil !== undefined && now < record.pausedUntil;
    if (!paused) record.pausedUntil = undefined;
    const capPercentage = paused
      ? checkpoints[record.nextCheckpoint - 1]!
      : checkpoints[Math.min(record.nextCheckpoint, checkpoints.length - 1)]!;
    const plan = planStep({
      desired: group.desiredCapacity,
      bounds: replacementBounds(group.desiredCapacity, preferences),
      old,
      fresh,
      replaced: phase.replaced.size,
      skipped,
      cap: countFor(capPercentage),
    });
    this.o.autoscaling.setRefreshLaunch(group.name, phase.target, plan.surge);
    for (const id of plan.terminate) {
      phase.replaced.add(id);
      this.o.autoscaling.terminateInstance(id, TERMINATE_CAUSE);
    }
    this.o.autoscaling.reconcileGroup(group.name, LAUNCH_CAUSE);
    if (!paused) record.statusReason = this.waitingFor(group.name, phase, fresh);
    this.emit(record);
  }

  /** What the refresh waits for, in the StatusReason (the sim's wording). */
  private waitingFor(
    groupName: string,
    phase: RefreshPhase,
    fresh: { id: string; ready: boolean }[],
  ): string {
    const launching = this.live(groupName).find(
      (i) => phase.launched.has(i.instanceId) && LAUNCHING.has(i.lifecycleState),
    );
    if (launching) {
      return `Waiting for instances to launch. For example: ${launching.instanceId} is ${launching.lifecycleState}.`;
    }
    const warming = fresh.find((f) => !f.ready && phase.launched.has(f.id));
    if (warming) {
      return `Waiting for instances to warm up and pass health checks. For example: ${warming.id} is not yet healthy.`;
    }
    return 'Replacing instances.';
  }

  private complete(record: InstanceRefreshRecord): void {
    if (record.status === RefreshStatus.RollbackInProgress) {
      this.finish(record, RefreshStatus.RollbackSuccessful, 'The instance refresh was rolled back.');
      return;
    }
    const now = this.o.scheduler.now();
    if (record.preferences.bakeTime > 0 && record.status !== RefreshStatus.Baking) {
      record.status = RefreshStatus.Baking;
      record.pausedUntil = now + record.preferences.bakeTime * this.o.msPerSecond;
      record.statusReason = `Waiting ${record.preferences.bakeTime} seconds of bake time before completing.`;
      this.emit(record);
      return;
    }
    if (record.status === RefreshStatus.Baking && now < (record.pausedUntil ?? 0)) return;
    if (record.desired) this.o.autoscaling.setLaunchTemplate(record.groupName, record.desired);
    this.finish(record, RefreshStatus.Successful, 'The instance refresh completed successfully.');
  }

  private fail(record: InstanceRefreshRecord): void {
    const { phase } = record;
    const why = `${phase.failures} instance(s) launched by the instance refresh failed to launch or to become healthy; the last: ${phase.lastFailure ?? 'unknown'}`;
    if (record.status === RefreshStatus.RollbackInProgress) {
      this.finish(record, RefreshStatus.RollbackFailed, `The rollback failed: ${why}.`);
    } else if (record.preferences.autoRollback && record.desired) {
      this.beginRollback(record, `The instance refresh failed and AutoRollback is set: ${why}.`);
    } else {
      this.finish(record, RefreshStatus.Failed, `The instance refresh failed: ${why}.`);
    }
  }

  private beginRollback(record: InstanceRefreshRecord, reason: string): void {
    const now = this.o.scheduler.now();
    record.rollback = {
      reason,
      startTime: now,
      percentageCompleteOnRollback: record.percentageComplete,
      instancesToUpdateOnRollback: record.instancesToUpdate,
    };
    const target = this.numbered(record.previous);
    const deployed = record.phase.target;
    const phase = this.phase(record.groupName, target, false);
    // Only what the refresh deployed goes back; instances it never replaced stay.
    for (const id of [...phase.toReplace]) {
      const instance = this.o.autoscaling.instances.get(id);
      if (!instance || !this.matches(instance, deployed)) phase.toReplace.delete(id);
    }
    phase.total = phase.toReplace.size;
    record.phase = phase;
    record.status = RefreshStatus.RollbackInProgress;
    record.statusReason = reason;
    record.pausedUntil = undefined;
    record.instancesToUpdate = phase.total;
    this.o.autoscaling.setRefreshLaunch(record.groupName, target, 0);
    this.emit(record);
    this.schedule(record.groupName, 0);
  }

  private finish(record: InstanceRefreshRecord, status: RefreshStatus, reason: string): void {
    record.status = status;
    record.statusReason = reason;
    record.endTime = this.o.scheduler.now();
    record.pausedUntil = undefined;
    if (status === RefreshStatus.Successful) {
      record.percentageComplete = 100;
      record.instancesToUpdate = 0;
    }
    this.timers.get(record.groupName)?.();
    this.timers.delete(record.groupName);
    this.o.autoscaling.setRefreshLaunch(record.groupName, undefined, 0);
    this.emit(record);
    this.o.autoscaling.reconcileGroup(
      record.groupName,
      'an instance was started in response to a difference between desired and actual capacity',
    );
  }

  private readonly lastEmitted = new Map<string, string>();

  private emit(record: InstanceRefreshRecord, checkpoint?: number): void {
    const key = `${record.status}|${record.percentageComplete}|${record.instancesToUpdate}|${record.statusReason}`;
    if (checkpoint === undefined && this.lastEmitted.get(record.id) === key) return;
    this.lastEmitted.set(record.id, key);
    this.o.events.emit('change', {
      kind: 'instance-refresh',
      time: this.o.scheduler.now(),
      groupName: record.groupName,
      instanceRefreshId: record.id,
      status: record.status,
      percentageComplete: record.percentageComplete,
      instancesToUpdate: record.instancesToUpdate,
      ...(record.statusReason ? { statusReason: record.statusReason } : {}),
      ...(checkpoint !== undefined ? { checkpoint } : {}),
    });
  }
}
