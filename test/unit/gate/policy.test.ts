import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  POLICY_LIMITS,
  PolicyError,
  parsePolicy,
  parsePolicyInput,
  resolvePolicy,
} from '../../../shared/gate';
import { ACCEPTED_CIDRS, REFUSED_CIDRS } from '../health/cidr-table';

function policyError(json: unknown): PolicyError {
  try {
    parsePolicy(json);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a PolicyError');
}

describe('parsePolicy', () => {
  it('applies the defaults to an empty or missing policy', () => {
    expect(parsePolicy({})).toEqual(DEFAULT_POLICY);
    expect(parsePolicy(undefined)).toEqual(DEFAULT_POLICY);
  });

  it('keeps the fields that are set', () => {
    const policy = parsePolicy({
      port: 8080,
      path: '/health?deep=1',
      healthyThreshold: 5,
      onSharedOutage: 'abandon',
      probeCidrs: ['127.0.1.0/24', 'fd00::/8'],
      sharedChecks: ['payments:api'],
    });
    expect(policy).toEqual({
      ...DEFAULT_POLICY,
      port: 8080,
      path: '/health?deep=1',
      healthyThreshold: 5,
      onSharedOutage: 'abandon',
      probeCidrs: ['127.0.1.0/24', 'fd00::/8'],
      sharedChecks: ['payments:api'],
    });
  });

  it('names an unknown field instead of ignoring it', () => {
    const error = policyError({ intervalSecs: 5 });
    expect(error.fields).toEqual(['intervalSecs']);
    expect(error.message).toMatch(/^invalid policy: intervalSecs: unknown field \(known: path, port, /);
  });

  it.each([
    [{ port: 0 }, 'port', /at least 1/],
    [{ port: 80.5 }, 'port', /integer/],
    [{ port: '80' }, 'port', /must be an integer, got "80"/],
    [{ intervalSeconds: 0 }, 'intervalSeconds', /at least 0.1/],
    [{ intervalSeconds: 301 }, 'intervalSeconds', /at most 300/],
    [{ timeoutSeconds: null }, 'timeoutSeconds', /got null/],
    [{ healthyThreshold: 1 }, 'healthyThreshold', /at least 2/],
    [{ healthyThreshold: 21 }, 'healthyThreshold', /at most 20/],
    [{ deadlineSeconds: 172_801 }, 'deadlineSeconds', /at most 172800/],
    [{ lbVerifySeconds: -1 }, 'lbVerifySeconds', /at least 1/],
    [
      { onSharedOutage: 'continue' },
      'onSharedOutage',
      /'wait', 'abandon' \(a failing canary is never continued\)/,
    ],
    [{ maxAbandonsPerVersion: 0 }, 'maxAbandonsPerVersion', /at least 1/],
    [{ path: 'health' }, 'path', /must start with '\/'/],
    [{ path: '/he alth' }, 'path', /no spaces/],
    [{ path: '/health#x' }, 'path', /fragment/],
    [{ probeCidrs: [] }, 'probeCidrs', /at least one range/],
    [{ probeCidrs: ['10.0.0.0/33'] }, 'probeCidrs[0]', /IPv4 or IPv6 CIDR/],
    [{ probeCidrs: '10.0.0.0/8' }, 'probeCidrs', /array of CIDRs/],
    [{ sharedChecks: [''] }, 'sharedChecks[0]', /must not be empty/],
  ])('%j → names %s', (json, field, message) => {
    const error = policyError(json);
    expect(error.fields).toEqual([field]);
    expect(error.issues[0]!.message).toMatch(message);
  });

  it('reports every bad field at once', () => {
    const error = policyError({ port: -1, healthyThreshold: 'x', extra: true });
    expect(error.fields.sort()).toEqual(['extra', 'healthyThreshold', 'port']);
  });

  it.each([null, [], 'x', 3])('rejects a non-object policy %j', (json) => {
    expect(policyError(json).fields).toEqual(['(policy)']);
  });

  it('requires timeoutSeconds < intervalSeconds, saying which value is the default', () => {
    const error = policyError({ timeoutSeconds: 5 });
    expect(error.fields).toEqual(['timeoutSeconds']);
    expect(error.message).toContain('timeoutSeconds 5 ≥ intervalSeconds 5 (default)');
  });

  it('requires deadlineSeconds > intervalSeconds × healthyThreshold', () => {
    const error = policyError({ deadlineSeconds: 15 });
    expect(error.fields).toEqual(['deadlineSeconds']);
    expect(error.message).toContain('(15 s)');
  });

  it('accepts values at the limits', () => {
    const L = POLICY_LIMITS;
    expect(() =>
      parsePolicy({
        intervalSeconds: L.maxIntervalSeconds,
        timeoutSeconds: L.maxTimeoutSeconds,
        healthyThreshold: L.maxHealthyThreshold,
        deadlineSeconds: L.maxDeadlineSeconds,
      }),
    ).not.toThrow();
  });
});

describe('parsePolicyInput', () => {
  it('returns only the fields that were set', () => {
    expect(parsePolicyInput({ port: 81 })).toEqual({ port: 81 });
    expect(resolvePolicy(parsePolicyInput({ port: 81 }))).toEqual({ ...DEFAULT_POLICY, port: 81 });
  });
});

// The same table as the parser's own test (test/unit/health/cidr.test.ts): one rule for every caller.
describe('probeCidrs follows the one CIDR rule', () => {
  it.each(ACCEPTED_CIDRS)('accepts $text ($why)', ({ text }) => {
    expect(parsePolicyInput({ probeCidrs: [text] }).probeCidrs).toEqual([text]);
  });

  it.each(REFUSED_CIDRS)('refuses $text ($reason)', ({ text, reason }) => {
    const error = policyError({ probeCidrs: ['10.0.0.0/8', text] });
    expect(error.fields).toEqual(['probeCidrs[1]']);
    expect(error.issues[0]!.message).toContain(reason);
  });
});
