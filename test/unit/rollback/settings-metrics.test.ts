import { describe, expect, it } from 'vitest';
import type { GroupDescription } from '../../../shared/aws';
import { PolicyInvalidError } from '../../../shared/aws';
import type { LbHealthCheckSettings, PolicyInput } from '../../../shared/gate';
import { effectivePolicy } from '../../../shared/gate';
import { memoryRecorder } from '../../../shared/observability';
import { policyProbeSettings, type RollbackReport, recordReportMetrics } from '../../../shared/rollback';

const group: GroupDescription = {
  name: 'web',
  minSize: 1,
  maxSize: 2,
  desiredCapacity: 1,
  availabilityZones: [],
  loadBalancerNames: ['web-classic'],
  targetGroupArns: [],
  tags: {},
  instances: [],
};

function settingsFor(
  policy: PolicyInput | undefined,
  options: { defaultProbeCidrs?: string[]; lb?: LbHealthCheckSettings[] } = {},
) {
  const seen: string[] = [];
  return policyProbeSettings({
    policies: { load: async (name) => ({ parameterName: `/healthgate/${name}/policy`, policy }) },
    defaultProbeCidrs: options.defaultProbeCidrs ?? ['127.0.1.0/24'],
    lbHealthChecks: async (g) => {
      seen.push(...g.loadBalancerNames);
      return options.lb ?? [];
    },
  })(group);
}

describe('policyProbeSettings', () => {
  it('takes port, path and timeout from the policy, with the gate defaults', async () => {
    expect(await settingsFor(undefined)).toEqual({
      port: 80,
      path: '/health',
      timeoutSeconds: 3,
      probeCidrs: ['127.0.1.0/24'],
    });
    expect(await settingsFor({ port: 8080, path: '/health?deep=1', timeoutSeconds: 1 })).toMatchObject({
      port: 8080,
      path: '/health?deep=1',
      timeoutSeconds: 1,
    });
  });

  it("probes the load balancer's HTTP target when the policy names no port or path, as the gate does", async () => {
    const lb = [
      { source: 'web-classic', protocol: 'HTTP', port: 8080, path: '/health/deep', timeoutSeconds: 2 },
    ];
    expect(await settingsFor({}, { lb })).toMatchObject({
      port: 8080,
      path: '/health/deep',
      timeoutSeconds: 2,
    });
    expect(await settingsFor({ port: 9000, path: '/health' }, { lb })).toMatchObject({
      port: 9000,
      path: '/health',
    });
    // A TCP check lends no target.
    expect(
      await settingsFor({}, { lb: [{ source: 'web-classic', protocol: 'TCP', port: 22 }] }),
    ).toMatchObject({
      port: 80,
      path: '/health',
    });
  });

  it("prefers the policy's CIDRs over the function default, IPv6 ranges included, exactly as the gate does", async () => {
    const input = { probeCidrs: ['10.1.0.0/16', 'fd00::/8'] };
    const settings = await settingsFor(input);
    expect(settings.probeCidrs).toEqual(['10.1.0.0/16', 'fd00::/8']);
    // One rule for both: the gate's own resolution of the same policy gives the same ranges, port and path.
    const gate = effectivePolicy(input, { defaultProbeCidrs: ['192.168.0.0/16'], lbChecks: [] });
    expect({ port: settings.port, path: settings.path, probeCidrs: settings.probeCidrs }).toEqual({
      port: gate.port,
      path: gate.path,
      probeCidrs: gate.probeCidrs,
    });
  });

  it('propagates a policy that cannot be loaded', async () => {
    const failing = policyProbeSettings({
      policies: {
        load: async () => {
          throw new PolicyInvalidError('bad', { parameterName: 'p', groupName: 'web' });
        },
      },
      defaultProbeCidrs: [],
    });
    await expect(failing(group)).rejects.toBeInstanceOf(PolicyInvalidError);
  });
});

describe('recordReportMetrics', () => {
  it('records latency of probed instances, failed probes and failing checks by name', () => {
    const recorder = memoryRecorder();
    const report: RollbackReport = {
      group: 'web',
      checkedAt: '',
      verdict: 'hold',
      reasons: [],
      versions: {},
      probe: { port: 80, path: '/health' },
      instances: [
        { instanceId: 'i-old', lifecycleState: 'Terminating', lb: [] },
        {
          instanceId: 'i-a',
          lifecycleState: 'InService',
          lb: [],
          probeLatencyMs: 5,
          health: { outcome: 'pass', failingChecks: [] },
        },
        {
          instanceId: 'i-b',
          lifecycleState: 'InService',
          lb: [],
          probeLatencyMs: 0,
          health: { outcome: 'error', failingChecks: [], error: 'probe refused' },
        },
      ],
    };
    recordReportMetrics(recorder, report);
    expect(recorder.points.map((p) => [p.name, p.value])).toEqual([
      ['ProbeLatency', 5],
      ['ProbeLatency', 0],
      ['ProbeFailures', 1],
    ]);
  });

  it('bounds failing check names like the gate: at most 8, 64 characters, control characters removed', () => {
    const recorder = memoryRecorder();
    const failingChecks = [
      ...Array.from({ length: 2_000 }, (_, i) => ({ name: `db:check-${i}`, transient: true })),
      { name: `migrations:${'x'.repeat(500)}`, transient: false },
      { name: 'evil\n\u001b[31mINFO forged\u0000', transient: false },
    ];
    const report: RollbackReport = {
      group: 'web',
      checkedAt: '',
      verdict: 'rollback',
      reasons: [],
      versions: {},
      probe: { port: 80, path: '/health' },
      instances: [
        {
          instanceId: 'i-a',
          lifecycleState: 'InService',
          lb: [],
          probeLatencyMs: 5,
          health: { outcome: 'fail', httpStatus: 503, failingChecks },
        },
      ],
    };
    recordReportMetrics(recorder, report);
    const checks = recorder.points.filter((p) => p.name === 'CheckFailures').map((p) => p.extra.Check ?? '');
    expect(checks).toHaveLength(8);
    for (const name of checks) {
      expect(name.length).toBeLessThanOrEqual(64);
      expect([...name].filter((c) => c < ' ' || c === '\u007f')).toEqual([]);
    }
    // Non-transient checks first: the signal that matters survives the bound.
    expect(checks[0]?.startsWith('migrations:x')).toBe(true);
    expect(checks[1]).toContain('INFO forged');
  });
});
