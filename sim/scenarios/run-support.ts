/**
 * The scenario runner's helpers: one deploy's summary for the report, the process's one sim endpoint, and what the
 * runner reads of the stack after a step (decisions still to report, a serving group's instances).
 */
import { randomBytes } from 'node:crypto';
import type { DeployResult } from '../../shared/deploy';
import { freePort, type LocalStack } from '../local-stack';
import { entryInstance } from '../report/describe';
import { decisionsInLogs } from '../report/gate-log';
import type { DeploySummary } from '../report/types';

/** One deploy as the report keeps it. */
export function deploySummary(
  step: number,
  version: string,
  result: DeployResult,
  startedT: number,
  endedT: number,
): DeploySummary {
  return {
    step,
    version,
    group: result.group,
    ...(result.strategy ? { strategy: result.strategy } : {}),
    ...(result.previousGroup ? { previousGroup: result.previousGroup } : {}),
    outcome: result.outcome,
    ...(result.failure ? { failure: result.failure } : {}),
    detail: result.detail,
    abandons: result.abandons,
    ...(result.report
      ? {
          verdict: result.report.verdict,
          verdictReasons: result.report.reasons.map(
            (r) => `${r.verdict} ${r.reason}${r.instanceId ? ` ${r.instanceId}` : ''}: ${r.detail}`,
          ),
        }
      : {}),
    startedT,
    endedT,
  };
}

let endpoint: { port: number; healthToken: string } | undefined;

/**
 * One sim port and health token per process. The gate's module is loaded once per process, as a warm Lambda
 * container keeps it, and its SDK clients and token cache keep what they first read: every run in this process
 * must answer on the same endpoint with the same token.
 */
export async function processEndpoint(port?: number): Promise<{ port: number; healthToken: string }> {
  endpoint ??= { port: port ?? (await freePort()), healthToken: randomBytes(18).toString('base64url') };
  return endpoint;
}

/** Instances whose lifecycle action the gate completed but whose invocation has not returned its decision yet. */
export function undecided(stack: LocalStack): string[] {
  const decided = new Set(
    stack.timeline.entries.flatMap((e) => {
      if (e.kind !== 'invocation-end') return [];
      const logged = decisionsInLogs(e.record.logs).map((d) => d.instanceId);
      if (logged.length > 0) return logged;
      return (e.record.result as { outcome?: string } | undefined)?.outcome === 'decided'
        ? [entryInstance(e) ?? '']
        : [];
    }),
  );
  return stack.timeline
    .of('lifecycle-action')
    .filter((e) => e.cause === 'CompleteLifecycleAction' && !decided.has(e.instanceId))
    .map((e) => e.instanceId);
}

export function inServiceOf(stack: LocalStack, group: string): string[] {
  return stack.sim.model.autoscaling
    .groupInstances(group)
    .filter((i) => i.lifecycleState === 'InService')
    .map((i) => i.instanceId)
    .sort();
}

/** Whether the serving group still has exactly the instances it had before the deploy, all InService. */
export function untouched(
  stack: LocalStack,
  group: string,
  before: readonly string[],
): { ok: boolean; detail: string } {
  const now = inServiceOf(stack, group);
  const same = now.length === before.length && now.every((id, i) => id === before[i]);
  return {
    ok: same && now.length > 0,
    detail: same
      ? `${now.length} instance(s) InService, the same as before`
      : `before: ${before.join(', ') || 'none'}; now: ${now.join(', ') || 'none'}`,
  };
}
