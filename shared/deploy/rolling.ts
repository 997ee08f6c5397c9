/**
 * The rolling deploy driver: a new launch template version rolled into the serving group by an instance refresh.
 * Each replacement launches through the group's launching hook, so the gate judges it as any launch; the driver
 * follows the refresh, counts the gate's abandons, asks the rollback check at every checkpoint and before the
 * refresh is done, and rolls its own refresh back (RollbackInstanceRefresh) when the version fails, leaving the
 * previous version serving. It only ever acts on the refresh it started, named by the id StartInstanceRefresh gave
 * it. Every decision is `judgeRolling`'s (pure); this file reads, writes and sleeps.
 */
import {
  type AutoScalingAdapter,
  type ElbAdapter,
  type ElbV2Adapter,
  type InstanceRefreshDescription,
  InstanceRefreshErrorCode,
  InstanceRefreshStateError,
  isActiveRefreshStatus as isActive,
  type LaunchTemplateVersionInput,
  type LaunchTemplateWriter,
  RefreshStatus,
} from '../aws';
import { DEFAULT_POLICY } from '../gate';
import type { RollbackReport } from '../rollback';
import { DeployRequestError } from './errors';
import { type DeployEvent, RollbackBy, SetUpPart } from './events';
import { type GroupLook, observe, verdictEvent } from './observe';
import { DeployFailure, DeployOutcome, type DeployResult, DeployStrategy } from './outcome';
import {
  type RollingPreferenceOverrides,
  refreshSettings,
  restorePreferences,
  rollingPreferences,
} from './refresh-preferences';
import { judgeRolling, type RollingMemory, type RollingObservation, type RollingStep } from './rolling-judge';
import { createRollingLooks } from './rolling-look';

/** What the rolling driver calls, all injected. */
export interface RollingDeployDeps {
  autoscaling: Pick<
    AutoScalingAdapter,
    | 'describeGroup'
    | 'describeScalingActivities'
    | 'startInstanceRefresh'
    | 'describeInstanceRefreshes'
    | 'rollbackInstanceRefresh'
  >;
  elb: Pick<ElbAdapter, 'describeInstanceHealth'>;
  elbv2: Pick<ElbV2Adapter, 'describeTargetHealth'>;
  rollbackCheck: (group: string) => Promise<RollbackReport>;
  /** Needed only when the request asks for a new launch template version. */
  launchTemplates?: LaunchTemplateWriter;
  onEvent?: (event: DeployEvent) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** One rolling deploy of one version into one group. */
export interface RollingDeployRequest {
  /** The serving group, refreshed in place. */
  groupName: string;
  version: string;
  /** The template (its version: the one to roll out, when no new one is made). */
  launchTemplate: { id?: string; name?: string; version?: string };
  /** Create a new version of `launchTemplate` first and roll it out. */
  newTemplateVersion?: Omit<LaunchTemplateVersionInput, 'templateId' | 'templateName'>;
  /** Replacements before the first checkpoint; default 1. */
  canary?: number;
  preferences?: RollingPreferenceOverrides;
  /** Abandoned launches after which the version is stopped; default the policy default. */
  maxAbandons?: number;
  /** For the refresh to finish with a `proceed` verdict; default 60 minutes. */
  timeoutMs?: number;
  /** Between two looks; default 5 s. */
  pollIntervalMs?: number;
  /** After the refresh succeeded, how long a `hold` may last; default 60 s. */
  verdictSettleMs?: number;
  /** For a rollback (or a restore) to finish once asked for; default 30 minutes. */
  rollbackTimeoutMs?: number;
  /** Aborting it rolls the refresh back at the next look. */
  signal?: AbortSignal;
}

const DEFAULTS = {
  timeoutMs: 60 * 60_000,
  pollIntervalMs: 5_000,
  verdictSettleMs: 60_000,
  rollbackTimeoutMs: 30 * 60_000,
} as const;
/** Consecutive failed looks after which the deploy rolls back. */
const MAX_LOOK_ERRORS = 5;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const isNumbered = (version: string | undefined) => version !== undefined && /^\d+$/.test(version);

/**
 * Rolls one version into a group and says how it ended. Never throws for AWS failures (the result says
 * `rolled-back` with `AWS_ERROR`); throws {@link DeployRequestError} before any call when the request is unusable.
 *
 * @example
 * const result = await deployRolling(
 *   { groupName: 'web', version: 'v2', launchTemplate: { id: 'lt-0abc', version: '8' } },
 *   { autoscaling, elb, elbv2, rollbackCheck: createRollbackCheck({ config }) },
 * );
 */
export async function deployRolling(
  request: RollingDeployRequest,
  deps: RollingDeployDeps,
): Promise<DeployResult> {
  const maxAbandons = request.maxAbandons ?? DEFAULT_POLICY.maxAbandonsPerVersion;
  const canary = request.canary ?? 1;
  if (!request.groupName) throw new DeployRequestError('groupName', 'required');
  if (!Number.isInteger(canary) || canary < 1)
    throw new DeployRequestError('canary', 'must be an integer of at least 1');
  if (!Number.isInteger(maxAbandons) || maxAbandons < 1) {
    throw new DeployRequestError('maxAbandons', 'must be an integer of at least 1');
  }
  if (!request.launchTemplate.id && !request.launchTemplate.name) {
    throw new DeployRequestError('launchTemplate', 'needs an id or a name');
  }
  if (!request.newTemplateVersion && !isNumbered(request.launchTemplate.version)) {
    throw new DeployRequestError(
      'launchTemplate',
      'needs a numbered version to roll out (or newTemplateVersion)',
    );
  }
  if (request.newTemplateVersion && !deps.launchTemplates) {
    throw new DeployRequestError('newTemplateVersion', 'needs a launch template writer');
  }
  // The overrides are checked before any call (the group's capacity, read later, only places the checkpoint).
  rollingPreferences(2, canary, request.preferences);

  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const emit = (event: DeployEvent) => deps.onEvent?.(event);
  const pollIntervalMs = request.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
  const group = request.groupName;
  const startedAt = now();
  let abandons = 0;
  let report: RollbackReport | undefined;
  let refreshId: string | undefined;
  let madeVersion: { templateId: string; version: string } | undefined;

  const finish = (outcome: DeployOutcome, detail: string, failure?: DeployFailure): DeployResult => {
    emit({ type: 'deploy-finished', time: now(), group, outcome, ...(failure ? { failure } : {}), detail });
    return {
      strategy: DeployStrategy.rolling,
      outcome,
      ...(failure ? { failure } : {}),
      detail,
      group,
      ...(refreshId ? { refreshId } : {}),
      version: request.version,
      abandons,
      ...(report ? { report } : {}),
      startedAt,
      endedAt: now(),
    };
  };
  /** The version this deploy made goes once no instance launches from it any more. */
  const removeVersion = async () => {
    if (!madeVersion || !deps.launchTemplates) return;
    try {
      await deps.launchTemplates.deleteVersion(madeVersion.templateId, madeVersion.version);
      const id = `${madeVersion.templateId}:${madeVersion.version}`;
      emit({ type: 'set-up-removed', time: now(), group, what: SetUpPart.launchTemplateVersion, id });
    } catch (error) {
      emit({ type: 'cleanup-failed', time: now(), group, error: message(error) });
    }
  };

  // Before anything is made: the group, pinned to a numbered version (else no rollback), and no refresh running.
  let previous: { id?: string; name?: string; version: string };
  let desiredCapacity: number;
  try {
    const description = await deps.autoscaling.describeGroup(group);
    desiredCapacity = description.desiredCapacity;
    const current = description.launchTemplate;
    if (!current || !isNumbered(current.version)) {
      return finish(
        DeployOutcome.rolledBack,
        `${group} launches ${current?.version ?? 'no launch template'}: a refresh of it could not be rolled back; pin a numbered version first. Nothing was started`,
        DeployFailure.AWS_ERROR,
      );
    }
    previous = { ...current, version: current.version! };
    const active = (await deps.autoscaling.describeInstanceRefreshes(group)).find((r) => isActive(r.status));
    if (active) {
      emit({ type: 'refresh-not-ours', time: now(), group, refreshId: active.id, status: active.status });
      return finish(
        DeployOutcome.rolledBack,
        `instance refresh ${active.id} of ${group} is ${active.status} and is not this deploy's: left alone, nothing was started`,
        DeployFailure.AWS_ERROR,
      );
    }
  } catch (error) {
    return finish(
      DeployOutcome.rolledBack,
      `cannot read ${group}: ${message(error)}`,
      DeployFailure.AWS_ERROR,
    );
  }
  const preferences = rollingPreferences(desiredCapacity, canary, request.preferences);
  emit({
    type: 'deploy-started',
    time: startedAt,
    group,
    version: request.version,
    desiredCapacity,
    maxAbandons,
    strategy: DeployStrategy.rolling,
  });

  let templateVersion = request.launchTemplate.version ?? '';
  let templateId = request.launchTemplate.id;
  const startRefresh = async (version: string, purpose: 'deploy' | 'restore') => {
    const prefs = purpose === 'deploy' ? preferences : restorePreferences(preferences);
    const ref = templateId ? { id: templateId } : { name: request.launchTemplate.name! };
    const id = await deps.autoscaling.startInstanceRefresh({
      group,
      launchTemplate: { ...ref, version },
      preferences: prefs,
    });
    const settings = refreshSettings(prefs);
    emit({
      type: 'refresh-started',
      time: now(),
      group,
      refreshId: id,
      templateVersion: version,
      purpose,
      settings,
    });
    return id;
  };

  try {
    if (request.newTemplateVersion) {
      const created = await deps.launchTemplates!.createVersion({
        ...request.newTemplateVersion,
        ...(templateId ? { templateId } : { templateName: request.launchTemplate.name! }),
      });
      templateId = created.templateId;
      templateVersion = created.version;
      madeVersion = created;
      emit({ type: 'launch-template-version', time: now(), templateId, templateVersion });
    }
    refreshId = await startRefresh(templateVersion, 'deploy');
  } catch (error) {
    await removeVersion();
    return finish(
      DeployOutcome.rolledBack,
      `could not start the instance refresh of ${group}: ${message(error)}`,
      DeployFailure.AWS_ERROR,
    );
  }

  // Follow the refresh; `judgeRolling` decides, this loop reads and acts.
  const since = new Date(startedAt - 1000);
  let memory: RollingMemory = { nextCheckpoint: 0 };
  let verdict: RollingObservation['verdict'];
  let lastVerdict = '';
  let lookErrors = 0;
  const looks = createRollingLooks({ group, desiredCapacity, maxAbandons, emit, now });
  let stopAskedAt: number | undefined;
  const timeoutMs = request.timeoutMs ?? DEFAULTS.timeoutMs;
  const rollbackTimeoutMs = request.rollbackTimeoutMs ?? DEFAULTS.rollbackTimeoutMs;
  const limits = {
    maxAbandons,
    timeoutMs,
    checkpoints: preferences.checkpointPercentages ?? [100],
    verdictSettleMs: request.verdictSettleMs ?? DEFAULTS.verdictSettleMs,
  };

  const look = async (id: string): Promise<{ refresh: InstanceRefreshDescription; group: GroupLook }> => {
    const [refresh] = await deps.autoscaling.describeInstanceRefreshes(group, { ids: [id] });
    if (!refresh) throw new Error(`instance refresh ${id} of ${group} is not found`);
    return { refresh, group: await observe(deps, group, { since }) };
  };
  const judgeNow = async () => {
    const at = now();
    report = await deps.rollbackCheck(group);
    const event = verdictEvent(now(), report);
    const key = `${event.verdict}:${event.reasons.map((r) => r.reason).join(',')}`;
    if (key !== lastVerdict) {
      lastVerdict = key;
      emit(event);
    }
    verdict = {
      verdict: report.verdict,
      at,
      detail: event.reasons
        .map((r) => `${r.reason}${r.instanceId ? ` ${r.instanceId}` : ''}: ${r.detail}`)
        .join('; '),
    };
  };
  /** RollbackInstanceRefresh, only while the group's active refresh is this deploy's. */
  const rollBack = async (id: string, step: Extract<RollingStep, { kind: 'stop' }>) => {
    if (step.failure === DeployFailure.CIRCUIT_BREAKER) {
      emit({ type: 'circuit-open', time: now(), group, abandons, maxAbandons });
    }
    const active = (await deps.autoscaling.describeInstanceRefreshes(group)).find((r) => isActive(r.status));
    if (!active || active.id !== id) {
      if (active)
        emit({ type: 'refresh-not-ours', time: now(), group, refreshId: active.id, status: active.status });
      return;
    }
    try {
      await deps.autoscaling.rollbackInstanceRefresh(group);
      emit({
        type: 'refresh-rollback',
        time: now(),
        group,
        refreshId: id,
        by: RollbackBy.deploy,
        reason: step.detail,
      });
    } catch (error) {
      // Ended meanwhile (failed, succeeded, rolled back by Auto Scaling): the next look reads how.
      if (!(error instanceof InstanceRefreshStateError && error.reason === InstanceRefreshErrorCode.notFound))
        throw error;
    }
  };

  let following = refreshId;
  let restoring: { failure: DeployFailure; detail: string } | undefined;
  for (;;) {
    if (request.signal?.aborted && !memory.stopping && !restoring) {
      const detail = `interrupted: ${message(request.signal.reason ?? 'aborted')}`;
      try {
        await rollBack(following, { kind: 'stop', failure: DeployFailure.INTERRUPTED, detail });
      } catch (error) {
        return finish(
          DeployOutcome.rolledBack,
          `${detail}; the rollback could not be asked for: ${message(error)}`,
          DeployFailure.AWS_ERROR,
        );
      }
      memory = { ...memory, stopping: { failure: DeployFailure.INTERRUPTED, detail } };
      stopAskedAt = now();
    }
    let seen: Awaited<ReturnType<typeof look>>;
    try {
      seen = await look(following);
      lookErrors = 0;
    } catch (error) {
      lookErrors += 1;
      if (lookErrors >= MAX_LOOK_ERRORS) {
        return finish(
          DeployOutcome.rolledBack,
          `cannot follow the instance refresh of ${group}: ${message(error)}`,
          DeployFailure.AWS_ERROR,
        );
      }
      await sleep(pollIntervalMs);
      continue;
    }
    looks.report(seen.refresh, seen.group);
    abandons = looks.abandons;

    if (restoring) {
      // A refresh back to the previous version: followed to its end, nothing judged.
      if (seen.refresh.status === RefreshStatus.Successful) {
        await removeVersion();
        return finish(
          DeployOutcome.rolledBack,
          `${restoring.detail}; the previous version was restored by instance refresh ${following}`,
          restoring.failure,
        );
      }
      if (!isActive(seen.refresh.status) || now() - (stopAskedAt ?? now()) >= rollbackTimeoutMs) {
        return finish(
          DeployOutcome.rolledBack,
          `${restoring.detail}; restoring the previous version ended ${seen.refresh.status}`,
          DeployFailure.AWS_ERROR,
        );
      }
      await sleep(pollIntervalMs);
      continue;
    }

    const observation = looks.observation(seen.refresh, seen.group, {
      templateVersion,
      elapsedMs: now() - startedAt,
      now: now(),
      ...(verdict ? { verdict } : {}),
    });
    const wasStopping = memory.stopping !== undefined;
    const judged = judgeRolling(observation, memory, limits);
    memory = judged.memory;
    const step = judged.step;
    if (!wasStopping && memory.stopping && step.kind === 'wait') {
      // Auto Scaling began the rollback itself (the refresh failed with AutoRollback set).
      emit({
        type: 'refresh-rollback',
        time: now(),
        group,
        refreshId: following,
        by: RollbackBy.autoRollback,
        reason: memory.stopping.detail,
      });
      stopAskedAt = now();
    }
    switch (step.kind) {
      case 'deployed':
        return finish(
          DeployOutcome.deployed,
          `${group} serves ${request.version} (instance refresh ${following}); ${step.detail}`,
        );
      case 'rolled-back':
        if (step.failure !== DeployFailure.AWS_ERROR) await removeVersion();
        return finish(DeployOutcome.rolledBack, step.detail, step.failure);
      case 'stop':
        try {
          await rollBack(following, step);
        } catch (error) {
          return finish(
            DeployOutcome.rolledBack,
            `${step.detail}; the rollback could not be asked for: ${message(error)}`,
            DeployFailure.AWS_ERROR,
          );
        }
        stopAskedAt = now();
        continue;
      case 'restore':
        try {
          following = await startRefresh(previous.version, 'restore');
        } catch (error) {
          return finish(
            DeployOutcome.rolledBack,
            `${step.detail}; the previous version could not be restored: ${message(error)}`,
            DeployFailure.AWS_ERROR,
          );
        }
        restoring = { failure: step.failure, detail: step.detail };
        stopAskedAt = now();
        continue;
      case 'wait':
        if (step.checkpoint !== undefined) {
          emit({ type: 'checkpoint', time: now(), group, refreshId: following, percentage: step.checkpoint });
        }
        if (stopAskedAt !== undefined && now() - stopAskedAt >= rollbackTimeoutMs) {
          return finish(
            DeployOutcome.rolledBack,
            `${memory.stopping?.detail ?? 'stopped'}; the rollback did not finish within ${Math.round(rollbackTimeoutMs / 1000)} s`,
            DeployFailure.AWS_ERROR,
          );
        }
        if (step.judge) {
          try {
            await judgeNow();
            if (verdict?.verdict === 'rollback') continue;
          } catch {
            // A check that cannot run is no verdict: the next look asks again.
          }
        }
        await sleep(pollIntervalMs);
    }
  }
}
