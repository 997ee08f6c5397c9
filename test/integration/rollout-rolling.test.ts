/**
 * Rolling deploys end to end: the sim's instance refresh, the real launch-gate handler judging each replacement in
 * Pending:Wait, real app processes, the rolling driver through the real SDK clients. Outcomes are asserted, never
 * timings: the serving capacity is replayed from the sim's own state changes, so no dip between two looks is missed.
 */
import { describe, expect, it } from 'vitest';
import { findScenario, runScenario } from '../../sim/scenarios';

type ScenarioReport = Awaited<ReturnType<typeof runScenario>>;

const run = async (name: string): Promise<ScenarioReport> => {
  const report = await runScenario(findScenario(name)!, { seed: 13 });
  expect(report.error).toBeUndefined();
  expect(report.expectations.filter((e) => !e.ok)).toEqual([]);
  return report;
};

const rolling = (report: ScenarioReport) => report.deploys.find((d) => d.strategy === 'rolling')!;
const tracksOf = (report: ScenarioReport, version: string) =>
  report.instances.filter((t) => t.version === version);
const lowestServing = (report: ScenarioReport) =>
  report.expectations.find((e) => e.what.endsWith('serving capacity'))?.actual;
const refreshPhases = (report: ScenarioReport) => report.refreshes?.[0]?.phases.map((p) => p.status) ?? [];

describe('rolling deploys against the sim', () => {
  it('a good version rolls in place: every replacement CONTINUEd, a canary checkpoint, capacity kept', async () => {
    const report = await run('rolling-good');
    expect(rolling(report)).toMatchObject({ outcome: 'deployed', group: 'web-v1' });
    expect(lowestServing(report)).toBe('lowest 3');
    const v2 = tracksOf(report, 'v2');
    expect(v2).toHaveLength(3);
    for (const t of v2) {
      expect(t.group).toBe('web-v1');
      expect(t.states.map((s) => s.state)).toEqual(expect.arrayContaining(['Pending:Wait', 'InService']));
      expect(t.decisions.map((d) => `${d.action} ${d.reason}`)).toEqual(['CONTINUE HEALTHY_THRESHOLD_MET']);
    }
    for (const t of tracksOf(report, 'v1')) expect(t.states.at(-1)?.state).toBe('Terminated');
    const [refresh] = report.refreshes ?? [];
    expect(refresh?.checkpoints.map((c) => c.percentage)).toEqual([33]);
    expect(refreshPhases(report)).toEqual(expect.arrayContaining(['InProgress', 'Baking', 'Successful']));
  }, 240_000);

  it('a bad canary is stopped on the first replacement and rolled back; no v1 instance goes', async () => {
    const report = await run('rolling-bad-canary');
    expect(rolling(report)).toMatchObject({ outcome: 'rolled-back', failure: 'CIRCUIT_BREAKER' });
    expect(lowestServing(report)).toBe('lowest 3');
    for (const t of tracksOf(report, 'v2')) expect(t.states.map((s) => s.state)).not.toContain('InService');
    const original = tracksOf(report, 'v1').filter((t) => t.states[0]!.from < rolling(report).startedT);
    expect(original).toHaveLength(3);
    for (const t of original) expect(t.states.at(-1)?.state).toBe('InService');
    expect(report.refreshes?.[0]?.rollback).toMatchObject({ by: 'deploy' });
    expect(refreshPhases(report)).toEqual(
      expect.arrayContaining(['RollbackInProgress', 'RollbackSuccessful']),
    );
  }, 240_000);

  it('a version the load balancer rejects after the gate passed it is marked Unhealthy and rolled back', async () => {
    const report = await run('rolling-lb-failure');
    expect(rolling(report)).toMatchObject({ outcome: 'rolled-back', failure: 'VERDICT_ROLLBACK' });
    expect(rolling(report).detail).toMatch(/INSTANCE_UNHEALTHY|LB_OUT_OF_SERVICE/);
    expect(lowestServing(report)).toBe('lowest 3');
    expect(tracksOf(report, 'v2').some((t) => t.decisions.some((d) => d.action === 'CONTINUE'))).toBe(true);
  }, 240_000);

  it('a checkpoint the rollback check holds: the refresh never goes on unjudged, it is rolled back', async () => {
    const report = await run('rolling-checkpoint-hold');
    expect(rolling(report)).toMatchObject({
      outcome: 'rolled-back',
      failure: 'VERDICT_HOLD',
      verdict: 'hold',
    });
    expect(lowestServing(report)).toBe('lowest 3');
    // Only the canary ever served: nothing past the checkpoint went InService.
    const served = tracksOf(report, 'v2').filter((t) => t.states.some((s) => s.state === 'InService'));
    expect(served).toHaveLength(1);
    expect(report.refreshes?.[0]?.checkpoints.map((c) => c.percentage)).toEqual([33]);
  }, 240_000);
});
