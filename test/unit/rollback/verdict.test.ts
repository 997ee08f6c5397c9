import { describe, expect, it } from 'vitest';
import {
  fleetVerdict,
  type InstanceObservation,
  judgeInstance,
  LB_STATE_UNREADABLE,
} from '../../../shared/rollback/verdict';

const pass = { outcome: 'pass' as const, failingChecks: [] };
const tgHealthy = { target: 'arn:tg/web', kind: 'target-group' as const, state: 'healthy' };
const clbInService = { target: 'web-clb', kind: 'classic' as const, state: 'InService' };

function instance(overrides: Partial<InstanceObservation> = {}): InstanceObservation {
  return {
    instanceId: 'i-0000000000000000a',
    lifecycleState: 'InService',
    healthStatus: 'Healthy',
    lb: [tgHealthy, clbInService],
    health: pass,
    version: '1.2.0',
    ...overrides,
  };
}

describe('fleetVerdict', () => {
  const table: { name: string; instances: InstanceObservation[]; verdict: string; reason: string }[] = [
    {
      name: 'all healthy',
      instances: [instance(), instance({ instanceId: 'i-b' })],
      verdict: 'proceed',
      reason: 'ALL_HEALTHY',
    },
    {
      name: 'warn counts as healthy',
      instances: [instance({ health: { outcome: 'warn', failingChecks: [] } })],
      verdict: 'proceed',
      reason: 'ALL_HEALTHY',
    },
    {
      name: 'non-transient failure of an InService instance',
      instances: [
        instance(),
        instance({
          instanceId: 'i-b',
          health: {
            outcome: 'fail',
            httpStatus: 503,
            failingChecks: [{ name: 'migrations:pending', transient: false }],
          },
        }),
      ],
      verdict: 'rollback',
      reason: 'NON_TRANSIENT_FAILURE',
    },
    {
      name: 'transient failure holds',
      instances: [
        instance({
          health: { outcome: 'fail', failingChecks: [{ name: 'database:responseTime', transient: true }] },
        }),
      ],
      verdict: 'hold',
      reason: 'TRANSIENT_FAILURE',
    },
    {
      name: 'target group unhealthy after registration',
      instances: [
        instance({ lb: [{ ...tgHealthy, state: 'unhealthy', reasonCode: 'Target.ResponseCodeMismatch' }] }),
      ],
      verdict: 'rollback',
      reason: 'LB_OUT_OF_SERVICE',
    },
    {
      name: 'classic OutOfService after registration',
      instances: [
        instance({
          lb: [
            {
              ...clbInService,
              state: 'OutOfService',
              reasonCode: 'Instance',
              description:
                'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.',
            },
          ],
        }),
      ],
      verdict: 'rollback',
      reason: 'LB_OUT_OF_SERVICE',
    },
    {
      name: 'classic registration in progress holds',
      instances: [
        instance({
          lb: [
            {
              ...clbInService,
              state: 'OutOfService',
              reasonCode: 'ELB',
              description: 'Instance registration is still in progress.',
            },
          ],
        }),
      ],
      verdict: 'hold',
      reason: 'LB_REGISTERING',
    },
    {
      name: 'target initial holds',
      instances: [instance({ lb: [{ ...tgHealthy, state: 'initial' }] })],
      verdict: 'hold',
      reason: 'LB_REGISTERING',
    },
    {
      name: 'pending wait holds',
      instances: [instance(), instance({ instanceId: 'i-b', lifecycleState: 'Pending:Wait', lb: [] })],
      verdict: 'hold',
      reason: 'LAUNCHING',
    },
    {
      name: 'a launching instance failing a non-transient check is a rollback',
      instances: [
        instance(),
        instance({
          instanceId: 'i-b',
          lifecycleState: 'Pending:Wait',
          lb: [],
          health: {
            outcome: 'fail',
            failingChecks: [{ name: 'migrations:pending', transient: false }],
          },
        }),
      ],
      verdict: 'rollback',
      reason: 'NON_TRANSIENT_FAILURE',
    },
    {
      name: 'a launching instance failing only transient checks holds',
      instances: [
        instance({
          lifecycleState: 'Pending:Wait',
          lb: [],
          health: { outcome: 'fail', failingChecks: [{ name: 'database:responseTime', transient: true }] },
        }),
      ],
      verdict: 'hold',
      reason: 'LAUNCHING',
    },
    {
      name: 'Auto Scaling says unhealthy',
      instances: [instance({ healthStatus: 'Unhealthy' })],
      verdict: 'rollback',
      reason: 'INSTANCE_UNHEALTHY',
    },
    {
      name: 'health unreadable holds',
      instances: [instance({ health: { outcome: 'error', failingChecks: [], error: 'timed out' } })],
      verdict: 'hold',
      reason: 'HEALTH_UNKNOWN',
    },
    { name: 'empty group holds', instances: [], verdict: 'hold', reason: 'NO_INSTANCES' },
    {
      name: 'unreadable load balancer holds',
      instances: [
        instance({
          lb: [
            clbInService,
            { ...tgHealthy, state: LB_STATE_UNREADABLE, description: 'ThrottlingException: Rate exceeded' },
          ],
        }),
      ],
      verdict: 'hold',
      reason: 'LB_UNKNOWN',
    },
    {
      name: 'target not registered yet holds',
      instances: [instance({ lb: [{ ...tgHealthy, state: 'unused', reasonCode: 'Target.NotRegistered' }] })],
      verdict: 'hold',
      reason: 'LB_REGISTERING',
    },
    {
      name: 'failing without named checks holds (no token: status only)',
      instances: [instance({ health: { outcome: 'fail', httpStatus: 503, failingChecks: [] } })],
      verdict: 'hold',
      reason: 'TRANSIENT_FAILURE',
    },
    {
      name: 'only terminating instances hold',
      instances: [instance({ lifecycleState: 'Terminating' })],
      verdict: 'hold',
      reason: 'NO_INSTANCES',
    },
    {
      name: 'unknown lifecycle state holds',
      instances: [instance(), instance({ instanceId: 'i-b', lifecycleState: 'Rebooting' })],
      verdict: 'hold',
      reason: 'LAUNCHING',
    },
    {
      name: 'terminating instances are ignored',
      instances: [
        instance(),
        instance({ instanceId: 'i-b', lifecycleState: 'Terminating:Wait', health: undefined }),
      ],
      verdict: 'proceed',
      reason: 'ALL_HEALTHY',
    },
    {
      name: 'rollback wins over hold',
      instances: [
        instance({ lifecycleState: 'Pending:Wait' }),
        instance({
          instanceId: 'i-b',
          health: { outcome: 'fail', failingChecks: [{ name: 'config:required', transient: false }] },
        }),
      ],
      verdict: 'rollback',
      reason: 'NON_TRANSIENT_FAILURE',
    },
  ];

  for (const row of table) {
    it(`${row.name} → ${row.verdict}`, () => {
      const result = fleetVerdict(row.instances);
      expect(result.verdict).toBe(row.verdict);
      expect(result.reasons[0]?.reason).toBe(row.reason);
      for (const r of result.reasons) expect(r.detail.length).toBeGreaterThan(0);
    });
  }

  it('names the failing checks and the instance', () => {
    const result = fleetVerdict([
      instance({
        instanceId: 'i-bad',
        health: {
          outcome: 'fail',
          failingChecks: [
            { name: 'config:required', transient: false },
            { name: 'db:x', transient: true },
          ],
        },
      }),
    ]);
    expect(result.reasons[0]).toEqual({
      verdict: 'rollback',
      reason: 'NON_TRANSIENT_FAILURE',
      instanceId: 'i-bad',
      detail: 'failing: config:required',
    });
  });

  it('says why a failure without named checks failed', () => {
    const [finding] = judgeInstance(
      instance({
        health: {
          outcome: 'fail',
          httpStatus: 301,
          failingChecks: [],
          error: 'redirected to https (HTTP 301)',
        },
      }),
    );
    expect(finding?.detail).toBe('status fail (HTTP 301): redirected to https (HTTP 301)');
  });

  it('holds a healthy group whose launch hook is fail-open, naming the hook', () => {
    const result = fleetVerdict([instance({ instanceId: 'i-1' })], { failOpenHooks: ['gate'] });
    expect(result.verdict).toBe('hold');
    expect(result.reasons).toEqual([
      expect.objectContaining({
        verdict: 'hold',
        reason: 'FAIL_OPEN_HOOK',
        detail: expect.stringContaining('gate'),
      }),
    ]);
    // A rollback still outranks it.
    const bad = fleetVerdict([instance({ instanceId: 'i-2', healthStatus: 'Unhealthy' })], {
      failOpenHooks: ['gate'],
    });
    expect(bad.verdict).toBe('rollback');
  });

  it('puts every rollback reason before any hold reason', () => {
    const result = fleetVerdict([
      instance({ instanceId: 'i-1', lifecycleState: 'Pending' }),
      instance({ instanceId: 'i-2', healthStatus: 'Unhealthy' }),
      instance({ instanceId: 'i-3', health: { outcome: 'error', failingChecks: [] } }),
      instance({ instanceId: 'i-4', lb: [{ ...tgHealthy, state: 'unhealthy' }] }),
    ]);
    expect(result.reasons.map((r) => r.verdict)).toEqual(['rollback', 'rollback', 'hold', 'hold']);
  });
});
