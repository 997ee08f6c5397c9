import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, mergeWithLbSettings, PolicyError } from '../../../shared/gate';

const elb = {
  source: 'web-elb',
  protocol: 'HTTP',
  port: 8080,
  path: '/health',
  intervalSeconds: 15,
  timeoutSeconds: 2,
  healthyThreshold: 10,
};

describe('mergeWithLbSettings', () => {
  it('takes target and stricter thresholds from an HTTP load balancer check', () => {
    const policy = mergeWithLbSettings({}, [elb]);
    expect(policy).toEqual({
      ...DEFAULT_POLICY,
      port: 8080,
      path: '/health',
      timeoutSeconds: 2,
      healthyThreshold: 10,
    });
  });

  it('never loosens the defaults and keeps the gate’s own interval', () => {
    const policy = mergeWithLbSettings({}, [{ ...elb, timeoutSeconds: 10, healthyThreshold: 2 }]);
    expect(policy.timeoutSeconds).toBe(DEFAULT_POLICY.timeoutSeconds);
    expect(policy.healthyThreshold).toBe(DEFAULT_POLICY.healthyThreshold);
    expect(policy.intervalSeconds).toBe(DEFAULT_POLICY.intervalSeconds);
  });

  it('lets explicit fields win', () => {
    const policy = mergeWithLbSettings({ port: 80, path: '/deep', healthyThreshold: 2, timeoutSeconds: 4 }, [
      elb,
    ]);
    expect(policy).toMatchObject({ port: 80, path: '/deep', healthyThreshold: 2, timeoutSeconds: 4 });
  });

  it('takes no target from HTTPS or TCP checks', () => {
    const policy = mergeWithLbSettings({}, [
      { source: 'tcp', protocol: 'TCP', port: 9000 },
      { source: 'tls', protocol: 'HTTPS', port: 443, path: '/x' },
    ]);
    expect(policy.port).toBe(80);
    expect(policy.path).toBe('/health');
  });

  it('caps a load balancer’s threshold at the policy limit', () => {
    expect(mergeWithLbSettings({}, [{ ...elb, healthyThreshold: 50 }]).healthyThreshold).toBe(20);
  });

  it('names the load balancer when the merge breaks a rule', () => {
    let caught: unknown;
    try {
      mergeWithLbSettings({ intervalSeconds: 10, deadlineSeconds: 60 }, [elb]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PolicyError);
    expect((caught as PolicyError).fields).toEqual(['deadlineSeconds']);
    expect((caught as PolicyError).message).toContain('healthyThreshold 10 (from load balancer web-elb)');
  });

  it('rejects a bad path from the load balancer', () => {
    expect(() => mergeWithLbSettings({}, [{ ...elb, path: 'no-slash' }])).toThrow(
      /path: from load balancer web-elb/,
    );
  });
});
