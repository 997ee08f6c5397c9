import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesHttpCode } from '../../../sim/lb/probe';
import {
  applyCheck,
  type CheckResult,
  classicInstanceState,
  initialHealth,
  type TargetHealth,
  v2TargetHealth,
} from '../../../sim/lb/target-health';

const ok: CheckResult = { ok: true };
const mismatch: CheckResult = { ok: false, failure: 'ResponseCodeMismatch', statusCode: 503 };
const thresholds = { healthy: 3, unhealthy: 2 };

describe('target health', () => {
  it('reports registration in progress before the first check, then not-yet-healthy, then InService', () => {
    let h = initialHealth();
    expect(classicInstanceState(h)).toEqual({
      State: 'OutOfService',
      ReasonCode: 'ELB',
      Description: 'Instance registration is still in progress.',
    });
    expect(v2TargetHealth(h, false)).toMatchObject({
      State: 'initial',
      Reason: 'Elb.RegistrationInProgress',
    });
    h = applyCheck(h, ok, thresholds);
    expect(classicInstanceState(h)).toMatchObject({ State: 'OutOfService', ReasonCode: 'Instance' });
    h = applyCheck(applyCheck(h, ok, thresholds), ok, thresholds);
    expect(classicInstanceState(h)).toEqual({ State: 'InService', ReasonCode: 'N/A', Description: 'N/A' });
    expect(v2TargetHealth(h, false)).toEqual({ State: 'healthy' });
  });

  it('goes unhealthy after UnhealthyThreshold consecutive failures with the failure reason', () => {
    let h: TargetHealth = { ...initialHealth(), status: 'healthy' };
    h = applyCheck(h, mismatch, thresholds);
    expect(h.status).toBe('healthy');
    h = applyCheck(h, mismatch, thresholds);
    expect(classicInstanceState(h)).toEqual({
      State: 'OutOfService',
      ReasonCode: 'Instance',
      Description:
        'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.',
    });
    expect(v2TargetHealth(h, false)).toEqual({
      State: 'unhealthy',
      Reason: 'Target.ResponseCodeMismatch',
      Description: 'Health checks failed with these codes: [503]',
    });
    expect(v2TargetHealth(applyCheck(h, { ok: false, failure: 'Timeout' }, thresholds), false).Reason).toBe(
      'Target.Timeout',
    );
    expect(v2TargetHealth(h, true).State).toBe('draining');
  });

  it('turns healthy only after HealthyThreshold passes in a row, unhealthy only after UnhealthyThreshold failures (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { maxLength: 40 }),
        fc.integer({ min: 2, max: 10 }),
        fc.integer({ min: 2, max: 10 }),
        (results, healthy, unhealthy) => {
          let h = initialHealth();
          const t = { healthy, unhealthy };
          results.forEach((r, k) => {
            const before = h.status;
            h = applyCheck(h, r ? ok : mismatch, t);
            if (h.status !== before && h.status === 'healthy') {
              expect(results.slice(k + 1 - healthy, k + 1)).toEqual(Array(healthy).fill(true));
            }
            if (h.status !== before && h.status === 'unhealthy') {
              expect(results.slice(k + 1 - unhealthy, k + 1)).toEqual(Array(unhealthy).fill(false));
            }
          });
          if (results.length < Math.min(healthy, unhealthy)) expect(h.status).toBe('initial');
        },
      ),
    );
  });

  it('matches ELBv2 HTTP code matchers', () => {
    expect(matchesHttpCode('200', 200)).toBe(true);
    expect(matchesHttpCode('200,202', 202)).toBe(true);
    expect(matchesHttpCode('200-299', 204)).toBe(true);
    expect(matchesHttpCode('200-299', 503)).toBe(false);
  });
});
