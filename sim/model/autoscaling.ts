/**
 * Auto Scaling groups, their instances and lifecycle actions. Capacity is reconciled after every change:
 * too few instances → launch (through the fleet), too many → terminate the oldest first. Launching
 * instances are held in Pending:Wait by launching hooks until every action is completed (or times out with
 * the hook's DefaultResult); CONTINUE puts them InService and registers them with the group's load
 * balancers, ABANDON terminates them and the group launches a replacement.
 */
import type { LifecycleEvent, SimEvents } from '../events';
import { SimError } from './errors';
import type { Fleet } from './fleet';
import type { IdGenerator } from './ids';
import type { IpAllocator } from './ip-allocator';
import type { LaunchTemplates } from './launch-templates';
import type { LoadBalancers } from './load-balancers';
import type { Cancel, Scheduler } from './scheduler';
import {
  Ec2State,
  type Group,
  HealthStatus,
  type Instance,
  type LaunchTemplateRef,
  type LifecycleAction,
  type LifecycleHook,
  LifecycleResult,
  LifecycleState,
  LifecycleTransition,
  type ScalingActivity,
} from './types';

/** The hard limit on a lifecycle action: 100 × HeartbeatTimeout, at most 48 hours. */
export const globalTimeoutSeconds = (heartbeatTimeoutSeconds: number): number =>
  Math.min(100 * heartbeatTimeoutSeconds, 172_800);

/**
 * The wait after a failed launch before the group tries again, doubling with each failure in a row up to a cap.
 * AWS backs off repeated launch failures (and after about a day suspends the group's Launch process) without
 * publishing the intervals; these keep a group that cannot launch from retrying in a tight loop.
 */
export const LAUNCH_RETRY_BASE_SECONDS = 10;
export const LAUNCH_RETRY_MAX_SECONDS = 300;

/** The wait after `failures` launch failures in a row, in the model's seconds. */
export const launchRetryDelaySeconds = (failures: number): number =>
  Math.min(LAUNCH_RETRY_BASE_SECONDS * 2 ** Math.max(0, failures - 1), LAUNCH_RETRY_MAX_SECONDS);

/**
 * A group's InstanceMaintenancePolicy from CreateAutoScalingGroup/UpdateAutoScalingGroup: both percentages, the
 * minimum 0–100, the maximum 100–200, at most 100 apart; -1 clears a value (both cleared: no policy).
 */
function maintenanceFields(
  input: { minHealthyPercentage?: number; maxHealthyPercentage?: number } | undefined,
  current: Group['maintenancePolicy'],
): { maintenancePolicy?: NonNullable<Group['maintenancePolicy']> } {
  if (!input) return current ? { maintenancePolicy: current } : {};
  const min = input.minHealthyPercentage;
  const max = input.maxHealthyPercentage;
  if (min === -1 && max === -1) return {};
  if (min === undefined || max === undefined || min === -1 || max === -1) {
    throw new SimError(
      'ValidationError',
      'Both MinHealthyPercentage and MaxHealthyPercentage must be specified in an instance maintenance policy.',
    );
  }
  if (min < 0 || min > 100 || max < 100 || max > 200 || max - min > 100) {
    throw new SimError(
      'ValidationError',
      `Invalid instance maintenance policy: MinHealthyPercentage ${min} must be 0-100, MaxHealthyPercentage ${max} must be 100-200, and they cannot differ by more than 100.`,
    );
  }
  return { maintenancePolicy: { minHealthyPercentage: min, maxHealthyPercentage: max } };
}

/** Suffix Auto Scaling puts on the EC2 error in a failed launch's status message. */
const LAUNCH_FAILED = 'Launching EC2 instance failed.';

const groupNotFound = (name: string) =>
  new SimError('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);

const isLeaving = (i: Instance) =>
  i.lifecycleState === LifecycleState.Terminating ||
  i.lifecycleState === LifecycleState.TerminatingWait ||
  i.lifecycleState === LifecycleState.TerminatingProceed ||
  i.lifecycleState === LifecycleState.Terminated;

export interface AutoScalingOptions {
  scheduler: Scheduler;
  events: SimEvents;
  fleet: Fleet;
  ids: IdGenerator;
  ips: IpAllocator;
  launchTemplates: LaunchTemplates;
  loadBalancers: LoadBalancers;
  msPerSecond: number;
  region: string;
  accountId: string;
}

export interface CreateGroupInput {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity?: number;
  launchTemplate: { id?: string; name?: string; version?: string };
  loadBalancerNames?: string[];
  targetGroupArns?: string[];
  healthCheckType?: string;
  healthCheckGracePeriod?: number;
  availabilityZones?: string[];
  tags?: { key: string; value: string; propagateAtLaunch?: boolean }[];
  /** InstanceMaintenancePolicy as the API gives it (-1 clears a value on update). */
  maintenancePolicy?: { minHealthyPercentage?: number; maxHealthyPercentage?: number };
  defaultInstanceWarmup?: number;
  /** Hooks in place before the first launch (CreateAutoScalingGroup's LifecycleHookSpecificationList). */
  hooks?: Omit<Parameters<AutoScaling['putLifecycleHook']>[0], 'groupName'>[];
}

/** The Auto Scaling side of the control plane. */
export class AutoScaling {
  readonly groups = new Map<string, Group>();
  /** Every instance ever launched, terminated ones included (DescribeInstances shows them). */
  readonly instances = new Map<string, Instance>();
  readonly actions = new Map<string, LifecycleAction>();
  readonly activities: ScalingActivity[] = [];
  private readonly timers = new Map<string, Cancel>();
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly o: AutoScalingOptions) {}

  /** Resolves once every launch/termination in flight (and those they start) has finished. */
  async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  getGroup(name: string): Group {
    const g = this.groups.get(name);
    if (!g) throw groupNotFound(name);
    return g;
  }

  /** Instances of the group that are not terminated (what DescribeAutoScalingGroups lists). */
  groupInstances(name: string): Instance[] {
    return [...this.instances.values()].filter(
      (i) => i.groupName === name && i.lifecycleState !== LifecycleState.Terminated,
    );
  }

  createGroup(input: CreateGroupInput): Group {
    if (this.groups.has(input.name)) {
      throw new SimError(
        'AlreadyExists',
        `AutoScalingGroup by this name already exists - A group with the name ${input.name} already exists`,
      );
    }
    const desired = input.desiredCapacity ?? input.minSize;
    this.validateSizes(input.minSize, input.maxSize, desired);
    const template = this.o.launchTemplates.get(input.launchTemplate);
    const ref: LaunchTemplateRef = {
      id: template.id,
      name: template.name,
      version: input.launchTemplate.version ?? '$Default',
    };
    this.o.launchTemplates.resolve(template, ref.version);
    for (const lb of input.loadBalancerNames ?? []) this.o.loadBalancers.getClassic(lb);
    for (const tg of input.targetGroupArns ?? []) this.o.loadBalancers.getTargetGroup(tg);
    const group: Group = {
      name: input.name,
      arn: `arn:aws:autoscaling:${this.o.region}:${this.o.accountId}:autoScalingGroup:${this.o.ids.uuid()}:autoScalingGroupName/${input.name}`,
      minSize: input.minSize,
      maxSize: input.maxSize,
      desiredCapacity: desired,
      launchTemplate: ref,
      loadBalancerNames: input.loadBalancerNames ?? [],
      targetGroupArns: input.targetGroupArns ?? [],
      healthCheckType: input.healthCheckType ?? 'EC2',
      healthCheckGracePeriod: input.healthCheckGracePeriod ?? 0,
      availabilityZones: input.availabilityZones?.length ? input.availabilityZones : [`${this.o.region}a`],
      tags: (input.tags ?? []).map((t) => ({
        key: t.key,
        value: t.value,
        propagateAtLaunch: t.propagateAtLaunch ?? true,
      })),
      createdTime: this.o.scheduler.now(),
      deleting: false,
      hooks: new Map(),
      surge: 0,
      ...maintenanceFields(input.maintenancePolicy, undefined),
      ...(input.defaultInstanceWarmup !== undefined && input.defaultInstanceWarmup >= 0
        ? { defaultInstanceWarmup: input.defaultInstanceWarmup }
        : {}),
    };
    this.groups.set(group.name, group);
    try {
      for (const hook of input.hooks ?? []) this.putLifecycleHook({ ...hook, groupName: group.name });
    } catch (e) {
      this.groups.delete(group.name);
      throw e;
    }
    this.reconcile(group, 'a user request created an AutoScalingGroup');
    return group;
  }

  updateGroup(
    name: string,
    input: Partial<
      Pick<
        CreateGroupInput,
        | 'minSize'
        | 'maxSize'
        | 'desiredCapacity'
        | 'healthCheckType'
        | 'healthCheckGracePeriod'
        | 'maintenancePolicy'
        | 'defaultInstanceWarmup'
      >
    > & {
      launchTemplate?: { id?: string; name?: string; version?: string };
    },
  ): Group {
    const group = this.getLiveGroup(name);
    const minSize = input.minSize ?? group.minSize;
    const maxSize = input.maxSize ?? group.maxSize;
    // AWS clamps desired into a changed [min, max] when desired is not given.
    const desired = input.desiredCapacity ?? Math.min(Math.max(group.desiredCapacity, minSize), maxSize);
    this.validateSizes(minSize, maxSize, desired);
    if (input.launchTemplate) {
      const template = this.o.launchTemplates.get(input.launchTemplate);
      const version = input.launchTemplate.version ?? '$Default';
      this.o.launchTemplates.resolve(template, version);
      group.launchTemplate = { id: template.id, name: template.name, version };
      // The user changed what the group launches: the next attempt need not wait out the old one's failures.
      this.resetLaunchBackoff(group.name, false);
    }
    const maintenance = input.maintenancePolicy
      ? maintenanceFields(input.maintenancePolicy, group.maintenancePolicy)
      : undefined;
    Object.assign(group, {
      minSize,
      maxSize,
      desiredCapacity: desired,
      healthCheckType: input.healthCheckType ?? group.healthCheckType,
      healthCheckGracePeriod: input.healthCheckGracePeriod ?? group.healthCheckGracePeriod,
    });
    if (maintenance) group.maintenancePolicy = maintenance.maintenancePolicy;
    if (input.defaultInstanceWarmup !== undefined) {
      group.defaultInstanceWarmup = input.defaultInstanceWarmup < 0 ? undefined : input.defaultInstanceWarmup;
    }
    this.reconcile(group, 'a user request update of AutoScalingGroup constraints');
    return group;
  }

  setDesiredCapacity(name: string, desired: number): void {
    const group = this.getLiveGroup(name);
    if (desired > group.maxSize) {
      throw new SimError(
        'ValidationError',
        `New SetDesiredCapacity value ${desired} is above max value ${group.maxSize} for the AutoScalingGroup.`,
      );
    }
    if (desired < group.minSize) {
      throw new SimError(
        'ValidationError',
        `New SetDesiredCapacity value ${desired} is below min value ${group.minSize} for the AutoScalingGroup.`,
      );
    }
    group.desiredCapacity = desired;
    this.reconcile(
      group,
      `a user request explicitly set group desired capacity changing the desired capacity to ${desired}`,
    );
  }

  /** Deletes the group; with `force` its instances are terminated (hooks skipped) and the group goes after. */
  deleteGroup(name: string, force: boolean): void {
    const group = this.getGroup(name);
    const members = this.groupInstances(name);
    if (members.length > 0 && !force) {
      throw new SimError(
        'ResourceInUse',
        'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.',
      );
    }
    group.deleting = true;
    this.resetLaunchBackoff(name, false);
    group.desiredCapacity = 0;
    group.minSize = 0;
    for (const i of members) this.beginTerminate(i, 'the AutoScalingGroup was deleted', { skipHooks: true });
    this.maybeForget(group);
  }

  putLifecycleHook(input: {
    groupName: string;
    hookName: string;
    transition?: string;
    heartbeatTimeout?: number;
    defaultResult?: string;
    notificationMetadata?: string;
  }): LifecycleHook {
    const group = this.getLiveGroup(input.groupName);
    const existing = group.hooks.get(input.hookName);
    const transition = (input.transition ?? existing?.transition) as LifecycleHook['transition'] | undefined;
    if (!transition || !Object.values(LifecycleTransition).includes(transition)) {
      throw new SimError('ValidationError', `Invalid Lifecycle Transition: ${input.transition ?? 'null'}`);
    }
    const heartbeat = input.heartbeatTimeout ?? existing?.heartbeatTimeoutSeconds ?? 3600;
    if (heartbeat < 30 || heartbeat > 7200) {
      throw new SimError(
        'ValidationError',
        `Heartbeat timeout must be between 30 and 7200 seconds; got ${heartbeat}`,
      );
    }
    const defaultResult = (input.defaultResult ??
      existing?.defaultResult ??
      LifecycleResult.ABANDON) as LifecycleResult;
    if (!Object.values(LifecycleResult).includes(defaultResult)) {
      throw new SimError('ValidationError', `Invalid DefaultResult: ${defaultResult}`);
    }
    const hook: LifecycleHook = {
      name: input.hookName,
      groupName: group.name,
      transition,
      heartbeatTimeoutSeconds: heartbeat,
      globalTimeoutSeconds: globalTimeoutSeconds(heartbeat),
      defaultResult,
      notificationMetadata: input.notificationMetadata ?? existing?.notificationMetadata,
    };
    group.hooks.set(hook.name, hook);
    return hook;
  }

  deleteLifecycleHook(groupName: string, hookName: string): void {
    const group = this.getGroup(groupName);
    if (!group.hooks.delete(hookName)) {
      throw new SimError(
        'ValidationError',
        `No Lifecycle Hook found with name ${hookName} for group ${groupName}`,
      );
    }
  }

  /** Extends an active action's timeout by the hook's HeartbeatTimeout, never past the global timeout. */
  recordHeartbeat(input: {
    groupName: string;
    hookName: string;
    token?: string;
    instanceId?: string;
  }): LifecycleAction {
    const action = this.findActiveAction(input);
    const hook = this.getGroup(input.groupName).hooks.get(input.hookName)!;
    action.timeoutAt = Math.min(
      this.o.scheduler.now() + hook.heartbeatTimeoutSeconds * this.o.msPerSecond,
      action.globalDeadlineAt,
    );
    this.armTimeout(action);
    return action;
  }

  /** Completes an active action; a finished or unknown token is a ValidationError, as in AWS. */
  completeAction(input: {
    groupName: string;
    hookName: string;
    token?: string;
    instanceId?: string;
    result: string;
  }): void {
    if (!Object.values(LifecycleResult).includes(input.result as LifecycleResult)) {
      throw new SimError('ValidationError', `Invalid LifecycleActionResult: ${input.result}`);
    }
    const action = this.findActiveAction(input);
    this.finishAction(action, input.result as LifecycleResult, 'CompleteLifecycleAction');
  }

  /** Marks an instance Unhealthy (it is then replaced) or Healthy. */
  setInstanceHealth(instanceId: string, status: string): void {
    const instance = this.instances.get(instanceId);
    if (!instance || instance.lifecycleState === LifecycleState.Terminated) {
      throw new SimError(
        'ValidationError',
        `Instance Id not found - No managed instance found for instance ID: ${instanceId}`,
      );
    }
    if (status !== HealthStatus.Healthy && status !== HealthStatus.Unhealthy) {
      throw new SimError('ValidationError', `Invalid health status: ${status}`);
    }
    instance.healthStatus = status;
    if (status === HealthStatus.Unhealthy && !isLeaving(instance)) {
      this.beginTerminate(
        instance,
        'an instance was taken out of service in response to a user health-check',
        {},
      );
    }
  }

  /** EC2 TerminateInstances on a group's instance: it goes (hooks skipped) and the group replaces it. */
  terminateFromEc2(instanceId: string): { previous: Instance['ec2State']; instance: Instance } {
    const instance = this.instances.get(instanceId);
    if (!instance)
      throw new SimError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
    const previous = instance.ec2State;
    if (!isLeaving(instance)) {
      instance.healthStatus = HealthStatus.Unhealthy;
      this.beginTerminate(
        instance,
        'an instance was taken out of service in response to an EC2 instance status check failure',
        {
          skipHooks: true,
        },
      );
    }
    return { previous, instance };
  }

  /**
   * What an instance refresh sets while it runs: the configuration launches use (`undefined`: the group's own) and
   * the instances the group may hold above desired capacity. A new configuration need not wait out the old one's
   * launch failures, as when the user updates the group.
   */
  setRefreshLaunch(groupName: string, override: LaunchTemplateRef | undefined, surge: number): void {
    const group = this.groups.get(groupName);
    if (!group) return;
    const changed =
      override?.id !== group.launchOverride?.id || override?.version !== group.launchOverride?.version;
    group.launchOverride = override;
    group.surge = Math.max(0, surge);
    if (changed) this.resetLaunchBackoff(groupName, false);
  }

  /** Replaces the group's launch template (an instance refresh that succeeded applies its desired configuration). */
  setLaunchTemplate(groupName: string, ref: LaunchTemplateRef): void {
    const group = this.groups.get(groupName);
    if (group) group.launchTemplate = { ...ref };
  }

  /** Launches or terminates until the group matches its desired capacity (plus any refresh surge). */
  reconcileGroup(groupName: string, cause: string): void {
    const group = this.groups.get(groupName);
    if (group) this.reconcile(group, cause);
  }

  /** Terminates an instance of a group without a replacement of its own (the caller sizes the group). */
  terminateInstance(instanceId: string, cause: string): void {
    const instance = this.instances.get(instanceId);
    if (instance) this.beginTerminate(instance, cause, { replace: false });
  }

  /**
   * The active action named by token or by instance id and hook. AWS documents either as enough ("for the
   * specified token or instance") but not what happens when both are given and name different actions; the sim
   * takes the strictest reading: both must name the same action, else no active action is found, so a token
   * paired with another instance's id can never complete either action.
   */
  private findActiveAction(input: {
    groupName: string;
    hookName: string;
    token?: string;
    instanceId?: string;
  }): LifecycleAction {
    const group = this.getGroup(input.groupName);
    if (!group.hooks.has(input.hookName)) {
      throw new SimError(
        'ValidationError',
        `No Lifecycle Hook found with name ${input.hookName} for group ${input.groupName}`,
      );
    }
    if (!input.token && !input.instanceId) {
      throw new SimError(
        'ValidationError',
        'Either a LifecycleActionToken or an InstanceId must be specified',
      );
    }
    if (input.token) {
      const a = this.actions.get(input.token);
      if (
        !a ||
        a.result ||
        a.groupName !== group.name ||
        a.hookName !== input.hookName ||
        (input.instanceId !== undefined && a.instanceId !== input.instanceId)
      ) {
        throw new SimError('ValidationError', `No active Lifecycle Action found with token ${input.token}`);
      }
      return a;
    }
    const a = [...this.actions.values()].find(
      (x) =>
        !x.result &&
        x.instanceId === input.instanceId &&
        x.hookName === input.hookName &&
        x.groupName === group.name,
    );
    if (!a)
      throw new SimError(
        'ValidationError',
        `No active Lifecycle Action found with instance ID ${input.instanceId}`,
      );
    return a;
  }

  private getLiveGroup(name: string): Group {
    const g = this.getGroup(name);
    if (g.deleting) throw new SimError('ValidationError', `AutoScalingGroup ${name} is pending delete.`);
    return g;
  }

  private validateSizes(min: number, max: number, desired: number): void {
    if (min > max)
      throw new SimError(
        'ValidationError',
        `Max bound, ${max}, must be greater than or equal to min bound, ${min}`,
      );
    if (desired < min || desired > max) {
      throw new SimError(
        'ValidationError',
        `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
      );
    }
  }

  private track(work: Promise<void>): void {
    const p = work.catch(() => undefined).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private setState(instance: Instance, to: LifecycleState, cause: string): void {
    const from = instance.lifecycleState;
    instance.lifecycleState = to;
    this.o.events.emit('change', {
      kind: 'instance',
      time: this.o.scheduler.now(),
      instanceId: instance.instanceId,
      groupName: instance.groupName,
      from,
      to,
      ec2State: instance.ec2State.Name,
      cause,
    });
  }

  private activity(groupName: string, description: string, cause: string): ScalingActivity {
    const a: ScalingActivity = {
      activityId: this.o.ids.uuid(),
      groupName,
      description,
      cause: `At ${new Date(this.o.scheduler.now()).toISOString().replace(/\.\d{3}Z$/, 'Z')} ${cause}.`,
      startTime: this.o.scheduler.now(),
      statusCode: 'InProgress',
      progress: 0,
    };
    this.activities.push(a);
    return a;
  }

  private endActivity(
    a: ScalingActivity | undefined,
    status: ScalingActivity['statusCode'],
    message?: string,
  ): void {
    if (a?.statusCode !== 'InProgress') return;
    a.statusCode = status;
    a.progress = 100;
    a.endTime = this.o.scheduler.now();
    if (message) a.statusMessage = message;
  }

  private readonly launchActivity = new Map<string, ScalingActivity>();
  /** Per group: launch failures in a row, when the next attempt may start, and the scheduled retry. */
  private readonly launchBackoff = new Map<
    string,
    { failures: number; notBefore: number; retry?: Cancel | undefined }
  >();

  /** Launches or terminates until the group's live instances match its desired capacity. */
  private reconcile(group: Group, cause: string): void {
    if (group.deleting) return;
    const live = this.groupInstances(group.name).filter((i) => !isLeaving(i));
    // An instance refresh launching before it terminates holds the group above desired capacity for a while.
    const target = group.desiredCapacity + group.surge;
    if (live.length < target) {
      const n = target - live.length;
      for (let k = 0; k < n; k++) {
        if (this.launchDeferred(group)) break;
        this.launch(group, cause);
      }
    } else if (live.length > target) {
      const victims = [...live]
        .sort((a, b) => a.launchTime - b.launchTime || a.instanceId.localeCompare(b.instanceId))
        .slice(0, live.length - target);
      for (const v of victims) this.beginTerminate(v, cause, { replace: false });
    }
  }

  /** Whether the group is waiting out a launch failure (its retry is then already scheduled). */
  private launchDeferred(group: Group): boolean {
    const backoff = this.launchBackoff.get(group.name);
    if (!backoff || this.o.scheduler.now() >= backoff.notBefore) return false;
    backoff.retry ??= this.scheduleLaunchRetry(group.name, backoff.notBefore);
    return true;
  }

  /**
   * Counts a failed launch and schedules the group's next attempt after the backoff, so a group that cannot
   * launch costs one attempt per interval, not a tight loop.
   */
  private recordLaunchFailure(group: Group): void {
    const backoff = this.launchBackoff.get(group.name) ?? { failures: 0, notBefore: 0 };
    backoff.failures += 1;
    backoff.notBefore =
      this.o.scheduler.now() + launchRetryDelaySeconds(backoff.failures) * this.o.msPerSecond;
    backoff.retry?.();
    backoff.retry = this.scheduleLaunchRetry(group.name, backoff.notBefore);
    this.launchBackoff.set(group.name, backoff);
  }

  private scheduleLaunchRetry(groupName: string, at: number): Cancel {
    const cancel = this.o.scheduler.schedule(at - this.o.scheduler.now(), () => {
      const backoff = this.launchBackoff.get(groupName);
      if (backoff?.retry === cancel) backoff.retry = undefined;
      const group = this.groups.get(groupName);
      if (group)
        this.reconcile(
          group,
          'an instance was started in response to a difference between desired and actual capacity',
        );
    });
    return cancel;
  }

  /** Forgets the group's launch failures; `resume` launches at once what the wait was holding back. */
  private resetLaunchBackoff(groupName: string, resume: boolean): void {
    const backoff = this.launchBackoff.get(groupName);
    if (!backoff) return;
    const wasWaiting = backoff.retry !== undefined;
    backoff.retry?.();
    this.launchBackoff.delete(groupName);
    const group = this.groups.get(groupName);
    if (resume && wasWaiting && group) {
      this.reconcile(
        group,
        'an instance was started in response to a difference between desired and actual capacity',
      );
    }
  }

  /**
   * Why EC2 would refuse to run this version, as the failed activity's status message says it; `undefined` when
   * it can run. A version without an image, or with one the fleet cannot run (an AMI that does not exist), fails
   * before any instance exists, as RunInstances does.
   */
  private launchRefusal(data: { ImageId?: unknown }): string | undefined {
    if (data.ImageId === undefined || data.ImageId === '') {
      return `The request must contain the parameter ImageId. ${LAUNCH_FAILED}`;
    }
    const imageId = String(data.ImageId);
    if (this.o.fleet.hasImage && !this.o.fleet.hasImage(imageId)) {
      return `The AMI ID ${imageId} does not exist. ${LAUNCH_FAILED}`;
    }
    return undefined;
  }

  private launch(group: Group, cause: string): void {
    const ref = group.launchOverride ?? group.launchTemplate;
    const template = this.o.launchTemplates.get({ id: ref.id });
    const version = this.o.launchTemplates.resolve(template, ref.version);
    const refusal = this.launchRefusal(version.data);
    if (refusal !== undefined) {
      this.o.events.emit('change', {
        kind: 'launch-failed',
        time: this.o.scheduler.now(),
        groupName: group.name,
        reason: refusal,
      });
      const failed = this.activity(
        group.name,
        `Launching a new EC2 instance.  Status Reason: ${refusal}`,
        cause,
      );
      this.endActivity(failed, 'Failed', refusal);
      this.recordLaunchFailure(group);
      return;
    }
    const instance: Instance = {
      instanceId: this.o.ids.instanceId(),
      groupName: group.name,
      privateIp: this.o.ips.allocate(),
      lifecycleState: LifecycleState.Pending,
      ec2State: Ec2State.pending,
      healthStatus: HealthStatus.Healthy,
      launchTemplate: { id: template.id, name: template.name, version: version.versionNumber },
      imageId: String(version.data.ImageId),
      instanceType: String(version.data.InstanceType ?? 't3.micro'),
      availabilityZone: group.availabilityZones[0]!,
      launchTime: this.o.scheduler.now(),
      tags: [
        ...group.tags.filter((t) => t.propagateAtLaunch).map(({ key, value }) => ({ key, value })),
        { key: 'aws:autoscaling:groupName', value: group.name },
        { key: 'aws:ec2launchtemplate:id', value: template.id },
        { key: 'aws:ec2launchtemplate:version', value: String(version.versionNumber) },
      ],
    };
    this.instances.set(instance.instanceId, instance);
    this.setState(instance, LifecycleState.Pending, cause);
    const activity = this.activity(
      group.name,
      `Launching a new EC2 instance: ${instance.instanceId}`,
      `${cause}`,
    );
    this.launchActivity.set(instance.instanceId, activity);
    const userData = version.data.UserData
      ? Buffer.from(String(version.data.UserData), 'base64').toString('utf8')
      : undefined;
    this.track(
      this.o.fleet
        .launch({
          instanceId: instance.instanceId,
          privateIp: instance.privateIp,
          groupName: group.name,
          launchTemplateId: template.id,
          launchTemplateName: template.name,
          launchTemplateVersion: version.versionNumber,
          imageId: instance.imageId,
          instanceType: instance.instanceType,
          userData,
          tags: Object.fromEntries(instance.tags.map((t) => [t.key, t.value])),
        })
        .then(
          () => this.afterLaunch(instance),
          (e: unknown) => {
            this.endActivity(activity, 'Failed', `Instance failed to launch: ${(e as Error).message}`);
            instance.healthStatus = HealthStatus.Unhealthy;
            // Before the termination asks for a replacement, so the replacement waits out the backoff.
            const current = this.groups.get(group.name);
            if (current) this.recordLaunchFailure(current);
            this.beginTerminate(instance, 'an instance failed to launch', { skipHooks: true });
          },
        ),
    );
  }

  private afterLaunch(instance: Instance): void {
    if (isLeaving(instance)) return;
    instance.ec2State = Ec2State.running;
    this.resetLaunchBackoff(instance.groupName, true);
    const group = this.groups.get(instance.groupName);
    const hooks = [...(group?.hooks.values() ?? [])].filter(
      (h) => h.transition === LifecycleTransition.launching,
    );
    if (hooks.length === 0) {
      this.toInService(instance, 'no launching lifecycle hook');
      return;
    }
    this.setState(instance, LifecycleState.PendingWait, 'waiting for launching lifecycle hooks');
    for (const hook of hooks) this.startAction(instance, hook);
  }

  private startAction(instance: Instance, hook: LifecycleHook): void {
    const now = this.o.scheduler.now();
    const action: LifecycleAction = {
      token: this.o.ids.uuid(),
      instanceId: instance.instanceId,
      groupName: instance.groupName,
      hookName: hook.name,
      transition: hook.transition,
      startedAt: now,
      timeoutAt: now + hook.heartbeatTimeoutSeconds * this.o.msPerSecond,
      globalDeadlineAt: now + hook.globalTimeoutSeconds * this.o.msPerSecond,
    };
    this.actions.set(action.token, action);
    this.armTimeout(action);
    const launching = hook.transition === LifecycleTransition.launching;
    const group = this.groups.get(instance.groupName)!;
    const event: LifecycleEvent = {
      version: '0',
      id: this.o.ids.uuid(),
      'detail-type': launching
        ? 'EC2 Instance-launch Lifecycle Action'
        : 'EC2 Instance-terminate Lifecycle Action',
      source: 'aws.autoscaling',
      account: this.o.accountId,
      time: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.o.region,
      resources: [group.arn],
      detail: {
        LifecycleActionToken: action.token,
        AutoScalingGroupName: instance.groupName,
        LifecycleHookName: hook.name,
        EC2InstanceId: instance.instanceId,
        LifecycleTransition: hook.transition,
        ...(hook.notificationMetadata !== undefined
          ? { NotificationMetadata: hook.notificationMetadata }
          : {}),
        Origin: launching ? 'EC2' : 'AutoScalingGroup',
        Destination: launching ? 'AutoScalingGroup' : 'EC2',
      },
    };
    this.o.events.emit('lifecycle', event);
  }

  private armTimeout(action: LifecycleAction): void {
    this.timers.get(action.token)?.();
    const hook = this.groups.get(action.groupName)?.hooks.get(action.hookName);
    const cancel = this.o.scheduler.schedule(action.timeoutAt - this.o.scheduler.now(), () => {
      if (action.result) return;
      const result = hook?.defaultResult ?? LifecycleResult.ABANDON;
      const cause =
        action.timeoutAt >= action.globalDeadlineAt ? 'global timeout expired' : 'heartbeat timeout expired';
      this.finishAction(action, result, cause);
    });
    this.timers.set(action.token, cancel);
  }

  private finishAction(action: LifecycleAction, result: LifecycleResult, cause: string): void {
    action.result = result;
    this.timers.get(action.token)?.();
    this.timers.delete(action.token);
    this.o.events.emit('change', {
      kind: 'lifecycle-action',
      time: this.o.scheduler.now(),
      token: action.token,
      instanceId: action.instanceId,
      hookName: action.hookName,
      result,
      cause,
    });
    const instance = this.instances.get(action.instanceId);
    if (!instance) return;
    const siblings = [...this.actions.values()].filter(
      (a) => a.instanceId === action.instanceId && a.transition === action.transition,
    );
    if (action.transition === LifecycleTransition.terminating) {
      if (siblings.every((a) => a.result)) this.finishTerminate(instance);
      return;
    }
    if (result === LifecycleResult.ABANDON) {
      for (const a of siblings)
        if (!a.result) this.finishAction(a, LifecycleResult.ABANDON, 'sibling action abandoned');
      if (isLeaving(instance)) return;
      this.endActivity(
        this.launchActivity.get(instance.instanceId),
        'Cancelled',
        `Instance failed to complete user's Lifecycle Action: Lifecycle Action with token ${action.token} was abandoned: Lifecycle Action Completed with ABANDON Result`,
      );
      this.beginTerminate(instance, `the lifecycle action was abandoned (${cause})`, { skipHooks: true });
      return;
    }
    if (
      siblings.every((a) => a.result === LifecycleResult.CONTINUE) &&
      instance.lifecycleState === LifecycleState.PendingWait
    ) {
      this.setState(
        instance,
        LifecycleState.PendingProceed,
        `lifecycle action completed with CONTINUE (${cause})`,
      );
      this.toInService(instance, 'lifecycle actions completed with CONTINUE');
    }
  }

  private toInService(instance: Instance, cause: string): void {
    const group = this.groups.get(instance.groupName);
    instance.inServiceAt = this.o.scheduler.now();
    this.setState(instance, LifecycleState.InService, cause);
    this.endActivity(this.launchActivity.get(instance.instanceId), 'Successful');
    for (const lb of group?.loadBalancerNames ?? [])
      this.o.loadBalancers.registerClassic(lb, instance.instanceId, instance.privateIp);
    for (const tg of group?.targetGroupArns ?? [])
      this.o.loadBalancers.registerTarget(tg, instance.instanceId, instance.privateIp);
  }

  private beginTerminate(
    instance: Instance,
    cause: string,
    opts: { skipHooks?: boolean; replace?: boolean },
  ): void {
    if (isLeaving(instance)) return;
    const group = this.groups.get(instance.groupName);
    for (const a of this.actions.values()) {
      if (a.instanceId === instance.instanceId && !a.result) {
        a.result = LifecycleResult.ABANDON;
        this.timers.get(a.token)?.();
        this.timers.delete(a.token);
      }
    }
    this.endActivity(
      this.launchActivity.get(instance.instanceId),
      'Cancelled',
      `Instance terminated: ${cause}`,
    );
    this.setState(instance, LifecycleState.Terminating, cause);
    for (const lb of group?.loadBalancerNames ?? [])
      this.o.loadBalancers.deregisterClassic(lb, instance.instanceId);
    for (const tg of group?.targetGroupArns ?? [])
      this.o.loadBalancers.deregisterTarget(tg, instance.instanceId);
    this.terminateActivity.set(
      instance.instanceId,
      this.activity(instance.groupName, `Terminating EC2 instance: ${instance.instanceId}`, cause),
    );
    const hooks = opts.skipHooks
      ? []
      : [...(group?.hooks.values() ?? [])].filter((h) => h.transition === LifecycleTransition.terminating);
    if (hooks.length > 0) {
      this.setState(instance, LifecycleState.TerminatingWait, 'waiting for terminating lifecycle hooks');
      for (const hook of hooks) this.startAction(instance, hook);
    } else {
      this.finishTerminate(instance);
    }
    // A terminated instance no longer counts toward desired capacity: launch its replacement now.
    if (group && opts.replace !== false)
      this.reconcile(group, `an instance was taken out of service: ${cause}`);
  }

  private readonly terminateActivity = new Map<string, ScalingActivity>();

  private finishTerminate(instance: Instance): void {
    if (instance.lifecycleState === LifecycleState.TerminatingWait) {
      this.setState(instance, LifecycleState.TerminatingProceed, 'terminating lifecycle actions completed');
    }
    instance.ec2State = Ec2State.shuttingDown;
    this.track(
      this.o.fleet
        .terminate(instance.instanceId)
        .catch(() => undefined)
        .then(() => {
          instance.ec2State = Ec2State.terminated;
          instance.terminatedAt = this.o.scheduler.now();
          this.o.ips.release(instance.privateIp);
          this.setState(instance, LifecycleState.Terminated, 'instance terminated');
          this.endActivity(this.terminateActivity.get(instance.instanceId), 'Successful');
          const group = this.groups.get(instance.groupName);
          if (group) this.maybeForget(group);
        }),
    );
  }

  private maybeForget(group: Group): void {
    if (group.deleting && this.groupInstances(group.name).length === 0) this.groups.delete(group.name);
  }

  /** Cancels every lifecycle timer (on close). */
  stop(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    for (const backoff of this.launchBackoff.values()) backoff.retry?.();
    this.launchBackoff.clear();
  }
}
