import { describe, expect, it } from 'vitest';
import { parseStepMessage } from '../../../shared/launch/step-message';
import { HOOK, INSTANCE, TOKEN } from '../../support/launch-harness';

const action = { group: 'web-blue', hook: HOOK, token: TOKEN, instanceId: INSTANCE };

describe('parseStepMessage', () => {
  it('accepts both phases', () => {
    expect(parseStepMessage({ healthgate: 'step', v: 1, phase: 'gate', action, state: { any: 1 } }).ok).toBe(
      true,
    );
    const verify = { eventTime: 1, continuedAt: 2, until: 3, intervalMs: 1000, reads: 0 };
    expect(parseStepMessage({ healthgate: 'step', v: 1, phase: 'lb-verify', action, verify }).ok).toBe(true);
  });

  it('names what is wrong and keeps a well-formed action', () => {
    const result = parseStepMessage({ healthgate: 'step', v: 2, phase: 'gate', action, state: {} });
    expect(result).toMatchObject({ ok: false, action });
    if (!result.ok) expect(result.errors.join()).toContain('v');
    const noAction = parseStepMessage({
      healthgate: 'step',
      v: 1,
      phase: 'gate',
      action: { ...action, token: 'x' },
    });
    expect(noAction.ok).toBe(false);
    if (!noAction.ok) expect(noAction.action).toBeUndefined();
  });

  it('refuses unknown fields (nothing extra rides along, e.g. a URL)', () => {
    const result = parseStepMessage({
      healthgate: 'step',
      v: 1,
      phase: 'gate',
      action,
      state: {},
      url: 'http://169.254.169.254/',
    });
    expect(result.ok).toBe(false);
  });
});

describe('parseStepMessage: the carried target', () => {
  const target = {
    address: '10.0.0.5',
    policy: {},
    heartbeatTimeoutSeconds: 300,
    attached: { loadBalancerNames: ['web'], targetGroupArns: [] },
  };
  it('accepts a target, and refuses one that is unbounded or has extra fields', () => {
    const step = { healthgate: 'step', v: 1, phase: 'gate', action, state: {}, target };
    expect(parseStepMessage(step).ok).toBe(true);
    expect(parseStepMessage({ ...step, target: { ...target, url: 'http://x/' } }).ok).toBe(false);
    expect(parseStepMessage({ ...step, target: { ...target, heartbeatTimeoutSeconds: 1e9 } }).ok).toBe(false);
    const many = { ...target, attached: { loadBalancerNames: Array(51).fill('lb'), targetGroupArns: [] } };
    expect(parseStepMessage({ ...step, target: many }).ok).toBe(false);
  });

  it('bounds the watch window of an lb-verify step', () => {
    const verify = { eventTime: 0, continuedAt: 0, until: 7_200_001, intervalMs: 1000, reads: 0 };
    const result = parseStepMessage({ healthgate: 'step', v: 1, phase: 'lb-verify', action, verify });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join()).toContain('verify.until');
  });
});
