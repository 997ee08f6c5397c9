/**
 * Fault scenarios end to end: each version's fault is stopped by the gate with its own reason, and the serving
 * fleet is never touched. One scenario per test, one after the other (each starts its own stack and fleet).
 */
import { describe, expect, it } from 'vitest';
import { findScenario, runScenario, SCENARIO_POLICY } from '../../sim/scenarios';

const run = async (name: string) => {
  const report = await runScenario(findScenario(name)!, { seed: 11 });
  expect(report.error).toBeUndefined();
  expect(report.expectations.filter((e) => !e.ok)).toEqual([]);
  return report;
};

describe('rollout fault scenarios', () => {
  it('pending migration: the canaries ABANDONed NON_TRANSIENT_FAILURE, circuit open, v1 untouched', async () => {
    const report = await run('pending-migration');
    expect(report.deploys.map((d) => d.outcome)).toEqual(['deployed', 'rolled-back']);
    const v2 = report.instances.filter((t) => t.version === 'v2');
    // Two abandons open the circuit; a replacement launched meanwhile may be judged too while the verdict settles.
    const reasons = v2.flatMap((t) => t.decisions).map((d) => d.reason);
    expect(reasons.length).toBeGreaterThanOrEqual(2);
    expect(new Set(reasons)).toEqual(new Set(['NON_TRANSIENT_FAILURE']));
    for (const d of v2.flatMap((t) => t.decisions)) {
      expect(d.afterMs).toBeLessThan(SCENARIO_POLICY.deadlineSeconds * 1000);
    }
  }, 180_000);

  it('broken home page while the database answers: ABANDON NON_TRANSIENT_FAILURE, long before the deadline', async () => {
    const report = await run('broken-home');
    const decisions = report.instances.filter((t) => t.version === 'v2').flatMap((t) => t.decisions);
    expect(decisions.length).toBeGreaterThan(0);
    for (const d of decisions) {
      expect(`${d.action} ${d.reason}`).toBe('ABANDON NON_TRANSIENT_FAILURE');
      expect(d.afterMs).toBeLessThan((SCENARIO_POLICY.deadlineSeconds * 1000) / 2);
    }
  }, 180_000);

  it('hanging /health: ABANDONed at the deadline, not before', async () => {
    const report = await run('hanging-health');
    const decisions = report.instances.filter((t) => t.version === 'v2').flatMap((t) => t.decisions);
    expect(decisions.length).toBeGreaterThan(0);
    expect(new Set(decisions.map((d) => `${d.action} ${d.reason}`))).toEqual(
      new Set(['ABANDON DEADLINE_EXCEEDED']),
    );
    // The deadline counts from the lifecycle event's time, which has whole-second resolution (as EventBridge's):
    // up to a second before the action's start. The decision lands within one interval after it.
    const deadlineMs = SCENARIO_POLICY.deadlineSeconds * 1000;
    expect(decisions[0]!.afterMs).toBeGreaterThanOrEqual(deadlineMs - 1_000 - 250);
    expect(decisions[0]!.afterMs).toBeLessThan(deadlineMs + SCENARIO_POLICY.intervalSeconds * 1000 + 3_000);
  }, 180_000);

  it('slow boot: the gate waits for the late app, then CONTINUEs; v1 retired', async () => {
    const report = await run('slow-boot');
    expect(report.deploys.map((d) => d.outcome)).toEqual(['deployed', 'deployed']);
    const v2 = report.instances.filter((t) => t.version === 'v2');
    for (const t of v2) {
      expect(t.decisions.map((d) => d.reason)).toEqual(['HEALTHY_THRESHOLD_MET']);
      // The app started 2 s after its instance: no decision can come before.
      expect(t.decisions[0]!.afterMs).toBeGreaterThanOrEqual(2_000);
    }
  }, 180_000);
});
