/** Compares what a deploy step came to with what the scenario expects: pure. */
import type { DeployResult } from '../../shared/deploy';
import type { ExpectationResult, InstanceTrack } from '../report/types';
import type { DeployExpectation } from './types';

/** What was observed of one deploy step. */
export interface StepFacts {
  step: number;
  result: DeployResult;
  /** Tracks of the instances of the step's group. */
  tracks: readonly InstanceTrack[];
  /** When the deploy failed: whether the previous group still serves at capacity, on its old version. */
  previousServing?: { ok: boolean; detail: string };
  /** Rolling, when the deploy failed: whether the group serves its previous version at capacity again. */
  previousVersionServing?: { what: string; ok: boolean; detail: string };
  /** The lowest serving capacity seen while the step ran (instances InService and healthy on the load balancer). */
  lowestServing?: number;
  /** Rolling: the status the deploy's instance refresh ended with. */
  refreshStatus?: string;
}

/**
 * Every expectation of one deploy step, met or not.
 *
 * @example
 * const results = checkDeploy(step.expect, facts);
 * const passed = results.every((r) => r.ok);
 */
export function checkDeploy(expect: DeployExpectation, facts: StepFacts): ExpectationResult[] {
  const { step, result } = facts;
  const out: ExpectationResult[] = [];
  const add = (what: string, expected: string, actual: string, ok: boolean) =>
    out.push({ step, what, expected, actual, ok });

  add(`deploy ${result.version}: outcome`, expect.outcome, result.outcome, result.outcome === expect.outcome);
  if (expect.failure) {
    add(
      `deploy ${result.version}: stopped by`,
      expect.failure,
      result.failure ?? 'nothing',
      result.failure === expect.failure,
    );
  }
  const decisions = facts.tracks.flatMap((t) => t.decisions.map((d) => ({ ...d, instanceId: t.instanceId })));
  const allowed = expect.decisions.map((d) => `${d.action} ${d.reason}`);
  const unexpected = decisions.filter((d) => !allowed.includes(`${d.action} ${d.reason}`));
  add(
    `deploy ${result.version}: gate decisions`,
    `one or more, each ${allowed.join(' or ')}`,
    decisions.length === 0
      ? 'no decision'
      : [...new Set(decisions.map((d) => `${d.action} ${d.reason}`))]
          .map((k) => `${decisions.filter((d) => `${d.action} ${d.reason}` === k).length}× ${k}`)
          .join(', '),
    decisions.length > 0 && unexpected.length === 0,
  );
  if (expect.verdict) {
    add(
      `deploy ${result.version}: rollback check`,
      expect.verdict,
      result.report?.verdict ?? 'not run',
      result.report?.verdict === expect.verdict,
    );
  }
  if (expect.maxDecisionMs !== undefined) {
    const slowest = Math.max(0, ...decisions.map((d) => d.afterMs ?? 0));
    add(
      `deploy ${result.version}: decision time after the hook`,
      `≤ ${expect.maxDecisionMs} ms`,
      `${slowest} ms`,
      slowest <= expect.maxDecisionMs,
    );
  }
  if (expect.minServingCapacity !== undefined) {
    add(
      `deploy ${result.version}: serving capacity`,
      `never below ${expect.minServingCapacity}`,
      facts.lowestServing === undefined ? 'not measured' : `lowest ${facts.lowestServing}`,
      facts.lowestServing !== undefined && facts.lowestServing >= expect.minServingCapacity,
    );
  }
  if (expect.refreshStatus) {
    add(
      `deploy ${result.version}: instance refresh`,
      expect.refreshStatus,
      facts.refreshStatus ?? 'none',
      facts.refreshStatus === expect.refreshStatus,
    );
  }
  if (result.outcome === 'rolled-back' && facts.previousVersionServing) {
    add(
      `deploy ${result.version}: ${facts.previousVersionServing.what}`,
      'at capacity again',
      facts.previousVersionServing.detail,
      facts.previousVersionServing.ok,
    );
  }
  if (result.outcome === 'rolled-back' && result.previousGroup && facts.previousServing) {
    add(
      `deploy ${result.version}: ${result.previousGroup} keeps serving`,
      'untouched, at capacity',
      facts.previousServing.detail,
      facts.previousServing.ok,
    );
  }
  return out;
}
