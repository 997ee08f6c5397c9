/**
 * The blue/green deploy driver: a new group per version beside the serving one; the old group goes only once the
 * new one is at capacity, healthy on its load balancers and judged `proceed`. Works against AWS and the local
 * control plane alike: every call goes through injected adapters.
 */

import { randomUUID } from 'node:crypto';
import type { LaunchTemplateVersionInput, LaunchTemplateWriter, ParameterWriter } from '../aws';
import {
  type AutoScalingAdapter,
  DEFAULT_POLICY_PREFIX,
  type ElbAdapter,
  type ElbV2Adapter,
  GroupNotFoundError,
  policyParameterName,
} from '../aws';
import { countAbandonedLaunches } from '../fleet/abandons';
import { FLEET_SETTINGS, type FleetSettings } from '../fleet/settings';
import { DEFAULT_POLICY, type PolicyInput } from '../gate';
import type { RollbackReport } from '../rollback';
import { DeployRequestError } from './errors';
import { DeletionCause, type DeployEvent, SetUpPart } from './events';
import { createGroupInput, DEPLOY_ID_TAG, type NewGroupSpec } from './group-input';
import { diffStates, type GroupLook, observe, summarise, verdictEvent } from './observe';
import { DeployFailure, DeployOutcome, type DeployResult } from './outcome';
import { assessProgress } from './progress';

/** What the driver calls, all injected. */
export interface DeployDeps {
  autoscaling: Pick<
    AutoScalingAdapter,
    | 'describeGroup'
    | 'createAutoScalingGroup'
    | 'updateAutoScalingGroup'
    | 'deleteAutoScalingGroup'
    | 'describeScalingActivities'
  >;
  elb: Pick<ElbAdapter, 'describeInstanceHealth'>;
  elbv2: Pick<ElbV2Adapter, 'describeTargetHealth'>;
  /** The rollback check of a group (shared/rollback's `createRollbackCheck` or `inspectGroup`). */
  rollbackCheck: (group: string) => Promise<RollbackReport>;
  /** Needed only when the request asks for a new launch template version. */
  launchTemplates?: LaunchTemplateWriter;
  /** Needed only when the request carries a policy. */
  parameters?: ParameterWriter;
  /** Default: infra/fleet-settings.ts. */
  settings?: FleetSettings;
  onEvent?: (event: DeployEvent) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** One deploy of one version. */
export interface DeployRequest extends Omit<NewGroupSpec, 'launchTemplate'> {
  /** The template (and version) the new group launches from. */
  launchTemplate: { id?: string; name?: string; version?: string };
  /** Create a new version of `launchTemplate` first and launch from it. */
  newTemplateVersion?: Omit<LaunchTemplateVersionInput, 'templateId' | 'templateName'>;
  /** The serving group, retired once the new one is judged `proceed`. */
  previousGroupName?: string;
  /** Stored at `<policyPrefix>/<groupName>/policy` before the group exists, so the gate reads it. */
  policy?: PolicyInput;
  policyPrefix?: string;
  /**
   * Instances launched first, alone; the group scales to `desiredCapacity` only once they are InService and
   * healthy on the load balancers. Default: no canary stage (the whole capacity launches at once).
   */
  canary?: number;
  /** Abandoned launches after which the version is stopped; default the policy's `maxAbandonsPerVersion`. */
  maxAbandons?: number;
  /** Time for capacity and a `proceed` verdict; default 15 minutes. */
  timeoutMs?: number;
  /** Between two observations of the new group; default 5 s. */
  pollIntervalMs?: number;
  /** Time for the old group to drain to zero before it is deleted anyway; default 10 minutes. */
  retireTimeoutMs?: number;
  /**
   * After a failure, how long the rollback check may keep saying `hold` (a replacement still booting) before the
   * group is removed with that verdict; default 20 s, cut short once `maxAbandons` more launches are abandoned
   * meanwhile. The operator then reads the verdict of a settled group.
   */
  verdictSettleMs?: number;
  /** Aborting it stops the deploy at its next observation: the new group is removed, the old one untouched. */
  signal?: AbortSignal;
}

/** Consecutive failed observations after which the deploy fails closed. */
export const MAX_POLL_ERRORS = 5;

const DEFAULTS = {
  timeoutMs: 15 * 60_000,
  pollIntervalMs: 5_000,
  retireTimeoutMs: 10 * 60_000,
  verdictSettleMs: 20_000,
} as const;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const reason = (signal: AbortSignal) => message(signal.reason ?? 'aborted');

/**
 * Deploys one version blue/green and says how it ended. Never throws for AWS failures: the new group is removed
 * and the result says `rolled-back` with `AWS_ERROR`. Throws {@link DeployRequestError} before any call when the
 * request is unusable.
 *
 * @example
 * const result = await deployBlueGreen(
 *   { groupName: 'web-v2', previousGroupName: 'web-v1', version: 'v2', desiredCapacity: 3,
 *     launchTemplate: { id: 'lt-0abc', version: '7' }, loadBalancerNames: ['web'] },
 *   { autoscaling, elb, elbv2, rollbackCheck: createRollbackCheck({ config }) },
 * );
 * if (result.outcome !== 'deployed') process.exitCode = 1;
 */
export async function deployBlueGreen(request: DeployRequest, deps: DeployDeps): Promise<DeployResult> {
  const maxAbandons =
    request.maxAbandons ?? request.policy?.maxAbandonsPerVersion ?? DEFAULT_POLICY.maxAbandonsPerVersion;
  validate(request, deps, maxAbandons);
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const emit = (event: DeployEvent) => deps.onEvent?.(event);
  const settings = deps.settings ?? FLEET_SETTINGS;
  const timeoutMs = request.timeoutMs ?? DEFAULTS.timeoutMs;
  const pollIntervalMs = request.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
  const retireTimeoutMs = request.retireTimeoutMs ?? DEFAULTS.retireTimeoutMs;
  const group = request.groupName;
  const full = request.desiredCapacity;
  const canary = Math.min(request.canary ?? full, full);
  let target = canary;
  const startedAt = now();
  let abandons = 0;
  let report: RollbackReport | undefined;
  const deployId = request.deployId ?? randomUUID();
  // What this deploy made, so that a failure removes exactly that.
  let groupCreated = false;
  let madeVersion: { templateId: string; version: string } | undefined;
  let madePolicy: string | undefined;

  /** Whether a group of this name that this deploy may not have created is its own (the create call failed). */
  const ownsGroup = async (): Promise<boolean> => {
    if (groupCreated) return true;
    try {
      const found = await deps.autoscaling.describeGroup(group);
      return found.tags[DEPLOY_ID_TAG] === deployId;
    } catch {
      return false;
    }
  };

  /** Removes the launch template version and the policy this deploy made; a failure is reported, not thrown. */
  const removeSetUp = async () => {
    if (madeVersion && deps.launchTemplates) {
      try {
        await deps.launchTemplates.deleteVersion(madeVersion.templateId, madeVersion.version);
        emit({
          type: 'set-up-removed',
          time: now(),
          group,
          what: SetUpPart.launchTemplateVersion,
          id: `${madeVersion.templateId}:${madeVersion.version}`,
        });
      } catch (error) {
        emit({ type: 'cleanup-failed', time: now(), group, error: message(error) });
      }
    }
    if (madePolicy && deps.parameters) {
      try {
        await deps.parameters.deleteParameter(madePolicy);
        emit({ type: 'set-up-removed', time: now(), group, what: SetUpPart.policy, id: madePolicy });
      } catch (error) {
        emit({ type: 'cleanup-failed', time: now(), group, error: message(error) });
      }
    }
  };

  const finish = (outcome: DeployOutcome, detail: string, failure?: DeployFailure): DeployResult => {
    emit({ type: 'deploy-finished', time: now(), group, outcome, ...(failure ? { failure } : {}), detail });
    return {
      outcome,
      ...(failure ? { failure } : {}),
      detail,
      group,
      ...(request.previousGroupName ? { previousGroup: request.previousGroupName } : {}),
      version: request.version,
      abandons,
      ...(report ? { report } : {}),
      startedAt,
      endedAt: now(),
    };
  };

  const fail = async (failure: DeployFailure, detail: string): Promise<DeployResult> => {
    if (!report && failure !== DeployFailure.INTERRUPTED) {
      const settleUntil = now() + (request.verdictSettleMs ?? DEFAULTS.verdictSettleMs);
      try {
        report = await deps.rollbackCheck(group);
        emit(verdictEvent(now(), report));
        // `hold` while a replacement boots says nothing yet; wait (bounded) for the group to settle. Each
        // abandoned replacement is followed by another launch: the circuit's limit bounds those launches too.
        const stopAt = abandons + maxAbandons;
        while (report.verdict === 'hold' && now() + pollIntervalMs <= settleUntil) {
          await sleep(pollIntervalMs);
          const since = await countAbandonedLaunches(deps.autoscaling, group).catch(() => abandons);
          if (since >= stopAt) break;
          const next = await deps.rollbackCheck(group);
          if (next.verdict !== report.verdict) emit(verdictEvent(now(), next));
          report = next;
        }
      } catch {
        // The group may not exist (creation failed) or be unreadable: the deploy fails either way.
      }
    }
    // Scaled to zero first: no replacement launches while the group goes, and the gate finds each held instance's
    // action already ended instead of a group that no longer exists. A group of this name this deploy did not
    // make is never touched.
    if (await ownsGroup()) {
      await drainAndDelete(deps, group, DeletionCause.failed, retireTimeoutMs, {
        emit,
        now,
        sleep,
        pollIntervalMs,
      });
    } else if (!groupCreated && (await groupExists(deps, group))) {
      emit({ type: 'not-ours', time: now(), group });
    }
    // After the group: no instance launches from the version any more.
    await removeSetUp();
    return finish(DeployOutcome.rolledBack, detail, failure);
  };

  emit({
    type: 'deploy-started',
    time: startedAt,
    group,
    ...(request.previousGroupName ? { previousGroup: request.previousGroupName } : {}),
    version: request.version,
    desiredCapacity: request.desiredCapacity,
    maxAbandons,
  });

  if (request.signal?.aborted) {
    return finish(
      DeployOutcome.rolledBack,
      `interrupted before anything was made: ${reason(request.signal)}`,
      DeployFailure.INTERRUPTED,
    );
  }

  // Set-up: template version, policy, group. Nothing serves from the new group yet, so a failure here only
  // removes whatever part of it exists.
  let templateVersion = request.launchTemplate.version ?? '$Default';
  let templateId = request.launchTemplate.id;
  try {
    if (request.newTemplateVersion) {
      const created = await deps.launchTemplates!.createVersion({
        ...request.newTemplateVersion,
        ...(request.launchTemplate.id ? { templateId: request.launchTemplate.id } : {}),
        ...(request.launchTemplate.name ? { templateName: request.launchTemplate.name } : {}),
      });
      templateId = created.templateId;
      templateVersion = created.version;
      madeVersion = created;
      emit({ type: 'launch-template-version', time: now(), templateId, templateVersion });
    }
    if (request.policy) {
      const parameter = policyParameterName(request.policyPrefix ?? DEFAULT_POLICY_PREFIX, group);
      await deps.parameters!.putParameter(parameter, JSON.stringify(request.policy));
      madePolicy = parameter;
      emit({ type: 'policy-stored', time: now(), parameter });
    }
    await deps.autoscaling.createAutoScalingGroup(
      createGroupInput(
        {
          ...request,
          ...(request.previousGroupName ? { baselineGroupName: request.previousGroupName } : {}),
          deployId,
          desiredCapacity: canary,
          minSize: Math.min(request.minSize ?? full, canary),
          maxSize: request.maxSize ?? full,
          launchTemplate: {
            ...(templateId ? { id: templateId } : { name: request.launchTemplate.name! }),
            version: templateVersion,
          },
        },
        settings,
      ),
    );
    groupCreated = true;
    emit({ type: 'group-created', time: now(), group, hook: settings.lifecycleHook.name });
  } catch (error) {
    return fail(DeployFailure.AWS_ERROR, `could not create ${group}: ${message(error)}`);
  }

  // Watch: the gate judges each launching instance; the driver only observes and counts abandons.
  const states = new Map<string, string>();
  let lastCapacity = '';
  let lastVerdict = '';
  let pollErrors = 0;
  for (;;) {
    if (request.signal?.aborted) {
      return fail(
        DeployFailure.INTERRUPTED,
        `interrupted before ${group} was judged: ${reason(request.signal)}`,
      );
    }
    let observed: GroupLook;
    try {
      observed = await observe(deps, group);
      pollErrors = 0;
    } catch (error) {
      pollErrors += 1;
      if (pollErrors >= MAX_POLL_ERRORS) {
        return fail(DeployFailure.AWS_ERROR, `cannot observe ${group}: ${message(error)}`);
      }
      await sleep(pollIntervalMs);
      continue;
    }
    const time = now();
    diffStates(states, observed.instances, (instanceId, from, to) =>
      emit({ type: 'instance-state', time, group, instanceId, ...(from ? { from } : {}), to }),
    );
    if (observed.abandons > abandons) {
      abandons = observed.abandons;
      emit({ type: 'launch-abandoned', time, group, abandons, maxAbandons });
    }
    const progress = assessProgress(
      {
        desiredCapacity: target,
        instances: observed.instances,
        abandons,
        elapsedMs: time - startedAt,
      },
      { maxAbandons, timeoutMs },
    );
    if (progress.state === 'failed') {
      if (progress.failure === DeployFailure.CIRCUIT_BREAKER) {
        emit({ type: 'circuit-open', time, group, abandons, maxAbandons });
      }
      return fail(progress.failure, progress.detail);
    }
    const capacityKey = `${progress.inService}/${progress.lbHealthy}`;
    if (capacityKey !== lastCapacity) {
      lastCapacity = capacityKey;
      emit({
        type: 'capacity',
        time,
        group,
        desired: target,
        inService: progress.inService,
        lbHealthy: progress.lbHealthy,
      });
    }
    if (progress.state === 'capacity' && target < full) {
      // The canary stage passed: the rest of the capacity launches, each instance gated like the canary.
      try {
        await deps.autoscaling.updateAutoScalingGroup({
          AutoScalingGroupName: group,
          MinSize: request.minSize ?? full,
          DesiredCapacity: full,
        });
      } catch (error) {
        return fail(DeployFailure.AWS_ERROR, `could not scale ${group} out: ${message(error)}`);
      }
      emit({ type: 'scaling-out', time: now(), group, from: target, to: full });
      target = full;
      lastCapacity = '';
    } else if (progress.state === 'capacity') {
      try {
        report = await deps.rollbackCheck(group);
      } catch (error) {
        pollErrors += 1;
        if (pollErrors >= MAX_POLL_ERRORS) {
          return fail(DeployFailure.AWS_ERROR, `rollback check of ${group} failed: ${message(error)}`);
        }
        await sleep(pollIntervalMs);
        continue;
      }
      const event = verdictEvent(now(), report);
      const key = `${event.verdict}:${event.reasons.map((r) => r.reason).join(',')}`;
      if (key !== lastVerdict) {
        lastVerdict = key;
        emit(event);
      }
      if (report.verdict === 'rollback') {
        return fail(DeployFailure.VERDICT_ROLLBACK, `rollback check: ${summarise(event.reasons)}`);
      }
      if (report.verdict === 'proceed') break;
    }
    await sleep(pollIntervalMs);
  }

  // Success: the new group serves; retire the old one.
  const previous = request.previousGroupName;
  if (previous) {
    const retired = await drainAndDelete(deps, previous, DeletionCause.retired, retireTimeoutMs, {
      emit,
      now,
      sleep,
      pollIntervalMs,
    });
    if (!retired) {
      return finish(
        DeployOutcome.deployed,
        `${group} serves ${request.version}; retiring ${previous} failed`,
      );
    }
  }
  return finish(
    DeployOutcome.deployed,
    `${group} serves ${request.version} at capacity (${request.desiredCapacity})${previous ? `; ${previous} retired` : ''}`,
  );
}

function validate(request: DeployRequest, deps: DeployDeps, maxAbandons: number): void {
  if (!request.groupName) throw new DeployRequestError('groupName', 'required');
  if (request.previousGroupName === request.groupName) {
    throw new DeployRequestError(
      'previousGroupName',
      'must differ from groupName (blue/green needs two groups)',
    );
  }
  if (!Number.isInteger(request.desiredCapacity) || request.desiredCapacity < 1) {
    throw new DeployRequestError('desiredCapacity', 'must be an integer of at least 1');
  }
  if (request.canary !== undefined && (!Number.isInteger(request.canary) || request.canary < 1)) {
    throw new DeployRequestError('canary', 'must be an integer of at least 1');
  }
  if (!Number.isInteger(maxAbandons) || maxAbandons < 1) {
    throw new DeployRequestError('maxAbandons', 'must be an integer of at least 1');
  }
  if (!request.launchTemplate.id && !request.launchTemplate.name) {
    throw new DeployRequestError('launchTemplate', 'needs an id or a name');
  }
  if (request.newTemplateVersion && !deps.launchTemplates) {
    throw new DeployRequestError('newTemplateVersion', 'needs a launch template writer');
  }
  if (request.policy && !deps.parameters) {
    throw new DeployRequestError('policy', 'needs a parameter writer');
  }
}

async function groupExists(deps: DeployDeps, group: string): Promise<boolean> {
  try {
    await deps.autoscaling.describeGroup(group);
    return true;
  } catch {
    return false;
  }
}

async function removeGroup(
  deps: DeployDeps,
  group: string,
  cause: DeletionCause,
  emit: (event: DeployEvent) => void,
  now: () => number,
): Promise<boolean> {
  try {
    await deps.autoscaling.deleteAutoScalingGroup(group, { forceDelete: true });
  } catch (error) {
    if (!(error instanceof GroupNotFoundError) && !/not found/i.test(message(error))) {
      emit({ type: 'cleanup-failed', time: now(), group, error: message(error) });
      return false;
    }
    return true;
  }
  emit({ type: 'group-deleted', time: now(), group, cause });
  return true;
}

/**
 * Scales a group to zero, waits (bounded) for its instances to go, then deletes it. A failed group is deleted
 * (with its instances) even when scaling it fails: the deploy fails closed.
 */
async function drainAndDelete(
  deps: DeployDeps,
  group: string,
  cause: DeletionCause,
  timeoutMs: number,
  o: {
    emit: (event: DeployEvent) => void;
    now: () => number;
    sleep: (ms: number) => Promise<void>;
    pollIntervalMs: number;
  },
): Promise<boolean> {
  o.emit({ type: 'retiring', time: o.now(), group, cause });
  const started = o.now();
  try {
    await deps.autoscaling.updateAutoScalingGroup({
      AutoScalingGroupName: group,
      MinSize: 0,
      MaxSize: 0,
      DesiredCapacity: 0,
    });
    for (;;) {
      const description = await deps.autoscaling.describeGroup(group);
      if (description.instances.length === 0 || o.now() - started >= timeoutMs) break;
      await o.sleep(o.pollIntervalMs);
    }
  } catch (error) {
    if (error instanceof GroupNotFoundError) return true;
    if (cause === DeletionCause.retired) {
      o.emit({ type: 'cleanup-failed', time: o.now(), group, error: message(error) });
      return false;
    }
  }
  return removeGroup(deps, group, cause, o.emit, o.now);
}
