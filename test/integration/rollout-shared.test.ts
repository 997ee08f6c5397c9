/**
 * Scenarios where what fails is shared by every instance or is AWS itself: the shared PostgreSQL stopped under the
 * serving fleet, and throttled AWS APIs. Both run the real gate, fleet and deploy driver.
 */
import { describe, expect, it } from 'vitest';
import { findScenario, runScenario } from '../../sim/scenarios';

describe('rollout with shared failures', () => {
  it('database outage: the canary is abandoned as a SHARED_OUTAGE (the serving group as baseline), the serving group is not touched', async () => {
    const report = await runScenario(findScenario('database-outage')!, { seed: 5 });
    expect(report.error).toBeUndefined();
    expect(report.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(report.entries.some((e) => e.text.includes('the shared database goes away'))).toBe(true);
    const decisions = report.instances.filter((t) => t.version === 'v2').flatMap((t) => t.decisions);
    expect(decisions.length).toBeGreaterThan(0);
    for (const d of decisions) {
      expect(d.action).toBe('ABANDON');
      expect(d.reason).toBe('SHARED_OUTAGE');
      // Compared with the serving group (the new group has no in-service instance), which fails the same checks.
      expect(d.detail).toMatch(
        /^shared outage: .*database:responseTime.* failing on the canary and on 2\/2 in-service instances of web-v1/,
      );
    }
    // The circuit's limit (1) bounds the launches while the verdict settles: one more abandon at most.
    expect(decisions.length).toBeLessThanOrEqual(2);
    // v1 was never scaled, replaced or deleted by the deploy.
    for (const t of report.instances.filter((i) => i.version === 'v1')) {
      expect(t.states.map((s) => s.state)).toEqual([
        'Pending',
        'Pending:Wait',
        'Pending:Proceed',
        'InService',
      ]);
    }
  }, 180_000);

  it('API throttling: the SDKs retry the injected faults and the rollout completes', async () => {
    const report = await runScenario(findScenario('api-throttling')!, { seed: 3 });
    expect(report.error).toBeUndefined();
    expect(report.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(report.deploys.map((d) => d.outcome)).toEqual(['deployed', 'deployed']);
    const injected = report.expectations.find((e) => e.what === 'AWS API faults injected');
    expect(Number(injected?.actual)).toBeGreaterThan(0);
  }, 180_000);
});
