import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileAuth, HealthConfigError, isAuthorised } from '../../../shared/health';
import { ACCEPTED_CIDRS, REFUSED_CIDRS } from './cidr-table';

const req = (headers: Record<string, string | string[] | undefined>, ip = '203.0.113.9') => ({ headers, ip });

describe('isAuthorised', () => {
  it('accepts the right token in the default header only', () => {
    const auth = { token: 'tok-123' };
    expect(isAuthorised(req({ 'x-health-token': 'tok-123' }), auth)).toBe(true);
    expect(isAuthorised(req({ 'x-health-token': 'tok-124' }), auth)).toBe(false);
    expect(isAuthorised(req({ 'x-health-token': 'tok-1234' }), auth)).toBe(false);
    expect(isAuthorised(req({ 'x-other': 'tok-123' }), auth)).toBe(false);
    expect(isAuthorised(req({ 'x-health-token': ['tok-123', 'tok-123'] }), auth)).toBe(false);
    expect(isAuthorised(req({}), auth)).toBe(false);
  });

  it('authorises exactly the token: shorter, longer, prefixed or other-case values are refused (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ maxLength: 44 }),
        (token, presented) => {
          const auth = { token };
          expect(isAuthorised(req({ 'x-health-token': presented }), auth)).toBe(presented === token);
          expect(isAuthorised(req({ 'x-health-token': token }), auth)).toBe(true);
          expect(isAuthorised(req({ 'x-health-token': token.slice(0, -1) }), auth)).toBe(false);
          expect(isAuthorised(req({ 'x-health-token': `${token}x` }), auth)).toBe(false);
        },
      ),
    );
    const unicode = { token: 'jeton-été-✓' };
    expect(isAuthorised(req({ 'x-health-token': 'jeton-été-✓' }), unicode)).toBe(true);
    expect(isAuthorised(req({ 'x-health-token': 'jeton-ete-✓' }), unicode)).toBe(false);
  });

  it('honours a custom header name (case-insensitively configured)', () => {
    const auth = { token: 'tok', header: 'X-Probe-Key' };
    expect(isAuthorised(req({ 'x-probe-key': 'tok' }), auth)).toBe(true);
    expect(isAuthorised(req({ 'x-health-token': 'tok' }), auth)).toBe(false);
  });

  it('fails closed: no token and no CIDRs authorise nobody; an empty token matches nothing', () => {
    expect(isAuthorised(req({ 'x-health-token': '' }), {})).toBe(false);
    expect(isAuthorised(req({ 'x-health-token': '' }), { token: '' })).toBe(false);
    expect(isAuthorised(req({}, '127.0.0.1'), { cidrs: [] })).toBe(false);
  });

  it.each([
    ['10.1.2.3', true],
    ['::ffff:10.1.2.3', true],
    ['10.255.255.255', true],
    ['11.0.0.1', false],
    ['::ffff:11.0.0.1', false],
    ['192.168.5.5', true],
    ['192.168.5.6', false],
    ['fd00:1::7', true],
    ['fe80::1', false],
    ['not-an-ip', false],
    ['', false],
  ])('source %s in [10.0.0.0/8, 192.168.5.5, fd00::/8] → %s', (ip, expected) => {
    const auth = { cidrs: ['10.0.0.0/8', '192.168.5.5', 'fd00::/8'] };
    expect(isAuthorised(req({}, ip), auth)).toBe(expected);
  });

  it('rejects invalid CIDRs at compile time', () => {
    for (const cidr of ['10.0.0.0/33', '10.0.0/8', 'x/8', '10.0.0.0/8/1', 'fd00::/129', '10.0.0.0/-1']) {
      expect(() => compileAuth({ cidrs: [cidr] }), cidr).toThrow(HealthConfigError);
    }
  });
});

// The same table as the parser's own test (cidr.test.ts): one rule for every caller.
describe('auth CIDRs follow the one CIDR rule', () => {
  it.each(ACCEPTED_CIDRS)('accepts $text ($why)', ({ text }) => {
    expect(() => compileAuth({ cidrs: [text] })).not.toThrow();
  });

  it.each(REFUSED_CIDRS)('refuses $text ($reason)', ({ text, reason }) => {
    expect(() => compileAuth({ cidrs: ['10.0.0.0/8', text] })).toThrow(HealthConfigError);
    expect(() => compileAuth({ cidrs: ['10.0.0.0/8', text] })).toThrow(reason);
  });
});
