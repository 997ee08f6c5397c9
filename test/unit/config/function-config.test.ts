import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, FunctionEnvSchema, loadFunctionConfig, parseEnv } from '../../../shared/config';
import { ACCEPTED_CIDRS, REFUSED_CIDRS } from '../health/cidr-table';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadFunctionConfig', () => {
  it('applies defaults for an empty environment', () => {
    expect(loadFunctionConfig({})).toEqual({
      policyPrefix: '/healthgate',
      policyCacheSeconds: 60,
      secretCacheSeconds: 300,
      probeCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
      healthTokenHeader: 'x-health-token',
    });
  });

  it('reads every key', () => {
    expect(
      loadFunctionConfig({
        POLICY_PREFIX: '/acme/healthgate',
        POLICY_CACHE_SECONDS: '0',
        SECRET_CACHE_SECONDS: '900',
        PROBE_CIDRS: '10.1.0.0/16, 127.0.0.0/8',
        HEALTH_TOKEN_PARAMETER: '/acme/healthgate/token',
        HEALTH_TOKEN_HEADER: 'X-Health-Token',
        UNRELATED: 'ignored',
      }),
    ).toEqual({
      policyPrefix: '/acme/healthgate',
      policyCacheSeconds: 0,
      secretCacheSeconds: 900,
      probeCidrs: ['10.1.0.0/16', '127.0.0.0/8'],
      healthTokenParameter: '/acme/healthgate/token',
      healthTokenHeader: 'X-Health-Token',
    });
  });

  it('treats empty strings as unset', () => {
    expect(
      loadFunctionConfig({ POLICY_PREFIX: '', POLICY_CACHE_SECONDS: ' ', HEALTH_TOKEN_PARAMETER: '' }),
    ).toEqual(loadFunctionConfig({}));
  });

  it.each([
    ['POLICY_PREFIX', 'healthgate'],
    ['POLICY_PREFIX', '/healthgate/'],
    ['POLICY_PREFIX', '/health gate'],
    ['POLICY_CACHE_SECONDS', 'sixty'],
    ['POLICY_CACHE_SECONDS', '-1'],
    ['POLICY_CACHE_SECONDS', '1.5'],
    ['SECRET_CACHE_SECONDS', '3601'],
    ['SECRET_CACHE_SECONDS', 'five minutes'],
    ['PROBE_CIDRS', '10.0.0.0/33'],
    ['PROBE_CIDRS', 'example.com'],
    ['PROBE_CIDRS', ','],
    ['HEALTH_TOKEN_PARAMETER', 'token'],
    ['HEALTH_TOKEN_HEADER', 'x health'],
  ])('fails fast naming %s for %j', (key, value) => {
    const error = errorOf(() => loadFunctionConfig({ [key]: value }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('ConfigError');
    expect(error.key).toBe(key);
    expect(error.message).toMatch(new RegExp(`^invalid configuration: ${key}: `));
  });
});

describe('parseEnv', () => {
  it('parses an extension of the schema, naming a missing required key', () => {
    const schema = FunctionEnvSchema.extend({ STATE_TABLE: z.string().min(1) });
    expect(parseEnv(schema, { STATE_TABLE: 'gate-state' })).toMatchObject({
      STATE_TABLE: 'gate-state',
      POLICY_PREFIX: '/healthgate',
    });
    const error = errorOf(() => parseEnv(schema, {}));
    expect(error.key).toBe('STATE_TABLE');
  });
});

// The same table as the parser's own test (test/unit/health/cidr.test.ts): one rule for every caller.
describe('PROBE_CIDRS follows the one CIDR rule', () => {
  it.each(ACCEPTED_CIDRS)('accepts $text ($why)', ({ text }) => {
    expect(loadFunctionConfig({ PROBE_CIDRS: `10.0.0.0/8, ${text}` }).probeCidrs).toEqual([
      '10.0.0.0/8',
      text,
    ]);
  });

  it.each(REFUSED_CIDRS)('refuses $text ($reason)', ({ text, reason }) => {
    const error = errorOf(() => loadFunctionConfig({ PROBE_CIDRS: `10.0.0.0/8,${text}` }));
    expect(error.key).toBe('PROBE_CIDRS');
    expect(error.message).toContain(reason);
  });
});
