/**
 * The default scenario end to end, as `npm start` plays it: the real launch-gate handler behind the sim's Lambda
 * and EventBridge emulation, real app processes as instances, the deploy driver through the real SDK clients.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScenarioReport, writeReports } from '../../sim/report';
import { findScenario, runScenario, SCENARIO_POLICY } from '../../sim/scenarios';

let report: ScenarioReport;
let dir: string;

beforeAll(async () => {
  report = await runScenario(findScenario('rollout')!, { seed: 7 });
  dir = await mkdtemp(path.join(tmpdir(), 'healthgate-rollout-'));
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tracksOf = (version: string) => report.instances.filter((t) => t.version === version);

describe('npm start: the default rollout', () => {
  it('meets every expected outcome', () => {
    const mismatches = report.expectations.filter((e) => !e.ok);
    expect(report.error).toBeUndefined();
    expect(mismatches).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it('deploys v1, then v2 retiring v1, then stops v3 by the circuit breaker', () => {
    expect(report.deploys.map((d) => [d.version, d.outcome, d.failure ?? null])).toEqual([
      ['v1', 'deployed', null],
      ['v2', 'deployed', null],
      ['v3', 'rolled-back', 'CIRCUIT_BREAKER'],
    ]);
    expect(report.deploys[2]).toMatchObject({
      abandons: SCENARIO_POLICY.maxAbandonsPerVersion,
      previousGroup: 'web-v2',
    });
  });

  it('CONTINUEs every v1 and v2 instance after healthy probes; v1 is retired, v2 still serves', () => {
    for (const version of ['v1', 'v2']) {
      const tracks = tracksOf(version);
      expect(tracks).toHaveLength(3);
      for (const t of tracks) {
        expect(t.decisions.map((d) => `${d.action} ${d.reason}`)).toEqual(['CONTINUE HEALTHY_THRESHOLD_MET']);
        expect(t.states.map((s) => s.state)).toContain('InService');
      }
    }
    for (const t of tracksOf('v1')) expect(t.states.at(-1)?.state).toBe('Terminated');
    for (const t of tracksOf('v2')) expect(t.states.at(-1)).toMatchObject({ state: 'InService' });
  });

  it('abandons each v3 canary for its unapplied migration, before any v2 instance goes, well before the deadline', () => {
    const decided = tracksOf('v3').flatMap((t) => t.decisions);
    // The circuit opens at the limit; a replacement launched meanwhile may be judged while the verdict settles.
    expect(decided.length).toBeGreaterThanOrEqual(SCENARIO_POLICY.maxAbandonsPerVersion);
    for (const d of decided) {
      expect(d).toMatchObject({ action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE' });
      expect(d.detail).toMatch(/0003_add_meter_reads/);
      // Not a deadline abandon: the non-transient failure decides as soon as a probe sees it.
      expect(d.afterMs).toBeLessThan(SCENARIO_POLICY.deadlineSeconds * 1000);
    }
    // The canary stage: v3 never had more than one instance launching at a time, and none InService.
    for (const t of tracksOf('v3')) expect(t.states.map((s) => s.state)).not.toContain('InService');
    const v3Start = Math.min(...tracksOf('v3').map((t) => t.states[0]!.from));
    for (const t of tracksOf('v2')) {
      expect(t.states.filter((s) => s.from > v3Start).map((s) => s.state)).not.toContain('Terminating');
    }
  });

  it('tells the whole story on its timeline and writes both reports', async () => {
    const texts = report.entries.map((e) => e.text);
    expect(texts.some((t) => t.startsWith('circuit breaker: 2 abandon(s)'))).toBe(true);
    expect(texts.some((t) => /^group web-v1 deleted \(retired\)/.test(t))).toBe(true);
    expect(texts.some((t) => /^group web-v3 deleted \(the deploy failed\)/.test(t))).toBe(true);
    expect(texts.some((t) => /^rollback check of web-v2: proceed/.test(t))).toBe(true);
    expect(texts.some((t) => /^rollback check of web-v3: rollback \(NON_TRANSIENT_FAILURE/.test(t))).toBe(
      true,
    );
    const { json, html } = await writeReports(report, dir);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ scenario: 'rollout', passed: true });
    expect(existsSync(html)).toBe(true);
  });
});
