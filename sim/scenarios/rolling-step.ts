/**
 * A scenario's rolling deploy step: the serving group refreshed in place by the rolling driver, through the real
 * SDK clients, and what the step's expectations need measured (the lowest serving capacity over the step, how
 * the refresh ended, whether the previous version serves again after a rollback).
 */
import type { FunctionConfig } from '../../shared/config';
import {
  type DeployResult,
  deployRolling,
  type RollingDeployDeps,
  type RollingPreferenceOverrides,
} from '../../shared/deploy';
import type { ProbeOptions, ProbeResult } from '../../shared/probe';
import { createRollbackCheck } from '../../shared/rollback';
import type { LocalStack } from '../local-stack';
import { servingRange } from '../report/serving';
import { SCENARIO_REFRESH } from './defaults';
import type { StepFacts } from './expectations';

/** What the runner hands a rolling step. */
export interface RollingStepInput {
  stack: LocalStack;
  /** The serving group, refreshed in place. */
  group: string;
  version: string;
  description: string;
  templateId: string;
  /** The new version's launch template data (from the template's first version). */
  data: Record<string, unknown>;
  /** The version's gate policy: the group's from now on (the gate judges only launches). */
  policy: Record<string, unknown>;
  canary: number;
  refresh?: RollingPreferenceOverrides;
  /** The deploy's rollback check cannot reach the instances (it runs outside their network). */
  checkFromOutside: boolean;
  config: FunctionConfig;
  deps: Omit<RollingDeployDeps, 'rollbackCheck'> & { rollbackCheck: RollingDeployDeps['rollbackCheck'] };
  timeoutMs: number;
  pollIntervalMs: number;
  signal?: AbortSignal;
}

/** A probe from outside the instances' network: nothing answers, each read is a timeout. */
const fromOutside = async (options: ProbeOptions): Promise<ProbeResult> => ({
  at: Date.now(),
  latencyMs: options.timeoutMs,
  outcome: 'error',
  failingChecks: [],
  error: `timed out after ${options.timeoutMs} ms: the deploy runs outside the instances' network`,
});

/**
 * Runs the step and measures it.
 *
 * @example
 * const { result, facts } = await runRollingStep({ stack, group: 'web-v1', version: 'v2', … });
 */
export async function runRollingStep(input: RollingStepInput): Promise<{
  result: DeployResult;
  facts: Pick<StepFacts, 'lowestServing' | 'refreshStatus' | 'previousVersionServing'>;
}> {
  const { stack, group } = input;
  const model = stack.sim.model;
  const previousVersion = model.autoscaling.getGroup(group).launchTemplate.version;
  stack.putPolicy(group, input.policy);
  const rollbackCheck = input.checkFromOutside
    ? createRollbackCheck({ config: input.config, probe: fromOutside })
    : input.deps.rollbackCheck;
  const startedAt = Date.now();
  const result = await deployRolling(
    {
      groupName: group,
      version: input.version,
      launchTemplate: { id: input.templateId },
      newTemplateVersion: { sourceVersion: '1', description: input.description, data: input.data },
      canary: input.canary,
      preferences: { ...SCENARIO_REFRESH, ...input.refresh },
      maxAbandons: Number(input.policy.maxAbandonsPerVersion ?? 2),
      timeoutMs: input.timeoutMs,
      pollIntervalMs: input.pollIntervalMs,
      verdictSettleMs: 20_000,
      rollbackTimeoutMs: 60_000,
      ...(input.signal ? { signal: input.signal } : {}),
    },
    { ...input.deps, rollbackCheck },
  );
  const endedAt = Date.now();
  const refresh = result.refreshId
    ? model.instanceRefreshes.describe(group, [result.refreshId])[0]
    : undefined;
  const serving = model.autoscaling.groupInstances(group).filter((i) => i.lifecycleState === 'InService');
  const desired = model.autoscaling.getGroup(group).desiredCapacity;
  const onPrevious = serving.filter((i) => String(i.launchTemplate.version) === previousVersion);
  return {
    result,
    facts: {
      lowestServing: servingRange(stack.timeline.entries, group, startedAt, endedAt).lowest,
      ...(refresh ? { refreshStatus: refresh.status } : {}),
      ...(result.outcome === 'rolled-back'
        ? {
            previousVersionServing: {
              what: `${group} serves its previous version`,
              ok: onPrevious.length === serving.length && serving.length >= desired,
              detail: `${onPrevious.length}/${desired} InService on launch template version ${previousVersion}${serving.length > onPrevious.length ? `, ${serving.length - onPrevious.length} on another` : ''}`,
            },
          }
        : {}),
    },
  };
}
