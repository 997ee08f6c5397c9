import { describe, expect, it } from 'vitest';
import {
  addressFamily,
  checkCidr,
  createCidrMatcher,
  HealthConfigError,
  InvalidCidrError,
  parseCidr,
} from '../../../shared/health';
import { ACCEPTED_CIDRS, REFUSED_CIDRS } from './cidr-table';

describe('checkCidr: the shared table', () => {
  it.each(ACCEPTED_CIDRS)('accepts $text ($why)', ({ text, family, prefix }) => {
    expect(checkCidr(text)).toEqual({ ok: true, cidr: { family, address: text.split('/')[0], prefix } });
    expect(parseCidr(text)).toEqual({ family, address: text.split('/')[0], prefix });
  });

  it.each(REFUSED_CIDRS)('refuses $text ($reason)', ({ text, reason }) => {
    const result = checkCidr(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('checkCidr: forms outside the table', () => {
  // Lists (PROBE_CIDRS, HEALTH_CIDRS) trim around their commas; an entry itself never carries whitespace.
  it.each([' 10.0.0.0/8', '10.0.0.0/8 ', '10.0.0.0/8\n', '\t::1'])('refuses %j (whitespace)', (text) => {
    expect(checkCidr(text)).toEqual({ ok: false, reason: 'contains whitespace' });
  });

  it.each([
    ['', 'empty'],
    [undefined, 'not a string'],
    [8, 'not a string'],
    [['10.0.0.0/8'], 'not a string'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(checkCidr(text)).toEqual({ ok: false, reason });
  });

  it('names the network and the host when host bits are set', () => {
    expect(checkCidr('10.1.2.3/16')).toEqual({
      ok: false,
      reason: 'host bits set: the network is 10.1.0.0/16 (10.1.2.3/32 is the host)',
    });
  });
});

describe('createCidrMatcher', () => {
  const matcher = createCidrMatcher(['10.0.0.0/8', '192.168.5.5', 'fd00::/8', '2001:db8::1:0/112']);

  it.each([
    ['10.1.2.3', true],
    ['10.255.255.255', true],
    ['11.0.0.1', false],
    ['192.168.5.5', true],
    ['192.168.5.6', false],
    // An IPv4-mapped address is its IPv4 host, in either notation.
    ['::ffff:10.1.2.3', true],
    ['::ffff:a01:203', true],
    ['0:0:0:0:0:ffff:10.1.2.3', true],
    ['::FFFF:192.168.5.5', true],
    ['::ffff:11.0.0.1', false],
    ['fd00:1::7', true],
    ['FD00::1', true],
    ['2001:db8::1:ffff', true],
    ['2001:db8::2:0', false],
    ['fe80::1', false],
    // Not addresses by the rule: they match nothing.
    ['010.1.2.3', false],
    ['10.1.2.3/32', false],
    ['fd00::1%eth0', false],
    [' 10.1.2.3', false],
    ['not-an-ip', false],
    ['', false],
  ])('%j → %s', (address, expected) => {
    expect(matcher.matches(address)).toBe(expected);
  });

  it('never lets an IPv6 range admit an IPv4 host, ::/0 included', () => {
    const everyIpv6 = createCidrMatcher(['::/0']);
    expect(everyIpv6.matches('::1')).toBe(true);
    expect(everyIpv6.matches('127.0.0.1')).toBe(false);
    expect(everyIpv6.matches('::ffff:127.0.0.1')).toBe(false);
    const everyIpv4 = createCidrMatcher(['0.0.0.0/0']);
    expect(everyIpv4.matches('::ffff:127.0.0.1')).toBe(true);
    expect(everyIpv4.matches('::1')).toBe(false);
  });

  it('matches nothing when empty, and keeps the parsed list', () => {
    expect(createCidrMatcher([]).matches('10.0.0.1')).toBe(false);
    expect(createCidrMatcher(['10.0.0.0/8']).cidrs).toEqual([
      { family: 'ipv4', address: '10.0.0.0', prefix: 8 },
    ]);
  });

  it('throws InvalidCidrError, a HealthConfigError, naming the entry and the reason', () => {
    const error = (() => {
      try {
        createCidrMatcher(['10.0.0.0/8', '10.0.0.0/08']);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidCidrError);
    expect(error).toBeInstanceOf(HealthConfigError);
    expect(error).toMatchObject({
      name: 'InvalidCidrError',
      cidr: '10.0.0.0/08',
      message: 'invalid CIDR "10.0.0.0/08": prefix /08 is not a decimal number without sign or leading zero',
    });
  });
});

describe('addressFamily', () => {
  it.each([
    ['10.0.0.1', 'ipv4'],
    ['::1', 'ipv6'],
    ['::ffff:10.0.0.1', 'ipv6'],
    ['010.0.0.1', undefined],
    ['fe80::1%eth0', undefined],
    ['10.0.0.1 ', undefined],
    [42, undefined],
  ])('%j → %s', (address, family) => {
    expect(addressFamily(address)).toBe(family);
  });
});
