import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { addressFamily, createCidrMatcher } from '../../../shared/health';
import { checkProbeTarget, probe } from '../../../shared/probe';
import { ACCEPTED_CIDRS, REFUSED_CIDRS } from '../health/cidr-table';

const spyFetch = () =>
  vi.fn(
    async (_url: string | URL | Request, _init?: RequestInit) =>
      new Response('{"status":"pass"}', {
        status: 200,
        headers: { 'content-type': 'application/health+json' },
      }),
  );

describe('checkProbeTarget', () => {
  it('builds http://address:port/path for a private address', () => {
    expect(checkProbeTarget({ address: '10.0.1.15', port: 8080, path: '/health' })).toEqual({
      ok: true,
      url: 'http://10.0.1.15:8080/health',
    });
    expect(checkProbeTarget({ address: '172.31.255.254', port: 80, path: '/health?deep=1' })).toEqual({
      ok: true,
      url: 'http://172.31.255.254:80/health?deep=1',
    });
    expect(checkProbeTarget({ address: '192.168.0.1', port: 65535, path: '/' }).ok).toBe(true);
  });

  it.each([
    ['169.254.169.254', 'link-local'],
    ['8.8.8.8', 'outside the allowed CIDRs'],
    ['172.32.0.1', 'outside the allowed CIDRs'],
    ['127.0.0.1', 'outside the allowed CIDRs'],
    ['0.0.0.0', '"this network"'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['example.com', 'not a literal IPv4 address'],
    ['10.0.0.1:80', 'not a literal IPv4 address'],
    ['[::1]', 'not a literal IPv4 address'],
    ['::1', 'not a literal IPv4 address'],
    ['010.0.0.1', 'not a literal IPv4 address'],
    ['10.1', 'not a literal IPv4 address'],
    ['167772161', 'not a literal IPv4 address'],
    ['user@10.0.0.1', 'not a literal IPv4 address'],
    [' 10.0.0.1', 'not a literal IPv4 address'],
    ['10.0.0.1\n', 'not a literal IPv4 address'],
  ])('refuses address %j (%s)', (address, reason) => {
    const result = checkProbeTarget({ address, port: 80, path: '/health' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('refuses link-local and multicast even when configured', () => {
    for (const address of ['169.254.169.254', '224.0.0.1']) {
      expect(checkProbeTarget({ address, port: 80, path: '/h', allowedCidrs: ['0.0.0.0/0'] }).ok).toBe(false);
    }
    expect(
      checkProbeTarget({ address: '8.8.8.8', port: 80, path: '/h', allowedCidrs: ['0.0.0.0/0'] }).ok,
    ).toBe(true);
  });

  it('allows loopback only when configured', () => {
    expect(
      checkProbeTarget({ address: '127.0.1.5', port: 80, path: '/h', allowedCidrs: ['127.0.0.0/8'] }).ok,
    ).toBe(true);
  });

  it.each([
    'http://x',
    '//evil',
    '/@x',
    '@x',
    'health',
    '',
    '/health\r\nX-Injected: 1',
    '/health\n',
    '/a b',
    '/\\evil.com',
    '/health#frag',
    `/${'a'.repeat(600)}`,
  ])('refuses path %j', (path) => {
    expect(checkProbeTarget({ address: '10.0.0.1', port: 80, path }).ok).toBe(false);
  });

  it.each([0, 65536, -1, 80.5, Number.NaN, '80'])('refuses port %j', (port) => {
    expect(checkProbeTarget({ address: '10.0.0.1', port, path: '/health' }).ok).toBe(false);
  });

  it('refuses an invalid allowed CIDR (fail closed)', () => {
    const result = checkProbeTarget({
      address: '10.0.0.1',
      port: 80,
      path: '/h',
      allowedCidrs: ['10.0.0.0/33'],
    });
    expect(result).toEqual({
      ok: false,
      reason: 'allowed CIDR "10.0.0.0/33" is invalid: prefix /33 is out of range for ipv4 (0-32)',
    });
  });

  it('allows a bare address as one host, and skips IPv6 ranges for an IPv4 address', () => {
    const target = (address: string, allowedCidrs: string[]) =>
      checkProbeTarget({ address, port: 80, path: '/h', allowedCidrs }).ok;
    expect(target('10.0.0.7', ['10.0.0.7'])).toBe(true);
    expect(target('10.0.0.8', ['10.0.0.7'])).toBe(false);
    expect(target('10.0.0.7', ['fd00::/8', '10.0.0.0/24'])).toBe(true);
    // An IPv6 range, even ::/0, never admits an IPv4 host.
    expect(target('10.0.0.7', ['::/0'])).toBe(false);
  });
});

describe('probe refuses without a request', () => {
  it.each([
    { address: '169.254.169.254' },
    { address: '8.8.8.8' },
    { address: 'example.com' },
    { address: '10.0.0.1:80' },
    { address: '[::1]' },
    { path: 'http://x' },
    { path: '//evil' },
    { path: '@x' },
    { port: 0 },
    { timeoutMs: 0 },
  ])('%j', async (override) => {
    const fetch = spyFetch();
    const result = await probe({
      address: '10.0.0.1',
      port: 8080,
      path: '/health',
      timeoutMs: 1000,
      fetch,
      ...override,
    });
    expect(result.outcome).toBe('error');
    expect(result.error).toMatch(/^probe refused: /);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('the spy is called for an allowed target, so the tests above can fail', async () => {
    const fetch = spyFetch();
    const result = await probe({ address: '10.0.0.1', port: 8080, path: '/health', timeoutMs: 1000, fetch });
    expect(result.outcome).toBe('pass');
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0]?.[0]).toBe('http://10.0.0.1:8080/health');
    expect(fetch.mock.calls[0]?.[1]).toMatchObject({ method: 'GET', redirect: 'manual' });
  });
});

describe('property: fetch only ever sees hosts inside the allowed CIDRs', () => {
  const loopback = createCidrMatcher(['127.0.0.0/8']);
  const tricky = fc.constantFrom(
    '127.0.0.1',
    '127.1',
    '0177.0.0.1',
    '2130706433',
    '127.0.0.1:80',
    '127.0.0.1@169.254.169.254',
    '169.254.169.254',
    'localhost',
    '[::1]',
    '127.0.0.1/',
    '127.0.0.1#',
    '127.0.0.1 ',
  );
  const address = fc.oneof(fc.string(), fc.ipV4(), fc.ipV4Extended(), fc.domain(), tricky);
  const path = fc.oneof(
    fc.string(),
    fc.webPath(),
    fc.webUrl(),
    fc.constantFrom('//evil', '/@evil', '/\\evil', '/%2F%2Fevil', '/..//evil', '/health?x=@y'),
    fc.string().map((s) => `/${s}`),
  );
  const port = fc.oneof(fc.integer({ min: -10, max: 70_000 }), fc.constantFrom(80, 8080));

  it('holds', async () => {
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(address, port, path, async (a, p, pth) => {
        const fetch = spyFetch();
        await probe({
          address: a,
          port: p,
          path: pth,
          timeoutMs: 1000,
          allowedCidrs: ['127.0.0.0/8'],
          fetch,
        });
        for (const [url] of fetch.mock.calls) {
          calls += 1;
          const parsed = new URL(String(url));
          expect(parsed.protocol).toBe('http:');
          expect(parsed.username + parsed.password).toBe('');
          expect(addressFamily(parsed.hostname)).toBe('ipv4');
          expect(loopback.matches(parsed.hostname)).toBe(true);
          expect(parsed.hostname).toBe(a);
        }
      }),
      { numRuns: 2000 },
    );
    // Not vacuous: some generated targets were allowed and fetched.
    expect(calls).toBeGreaterThan(0);
  });
});

// The same table as the parser's own test (test/unit/health/cidr.test.ts): one rule for every caller.
describe('allowed CIDRs follow the one CIDR rule', () => {
  const target = (cidr: string) =>
    checkProbeTarget({ address: '10.0.0.7', port: 80, path: '/h', allowedCidrs: [cidr, '10.0.0.0/8'] });

  it.each(ACCEPTED_CIDRS)('accepts $text ($why)', ({ text }) => {
    expect(target(text)).toEqual({ ok: true, url: 'http://10.0.0.7:80/h' });
  });

  it.each(REFUSED_CIDRS)('refuses $text ($reason)', ({ text, reason }) => {
    const result = target(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(`allowed CIDR ${JSON.stringify(text)} is invalid: `);
    expect(!result.ok && result.reason).toContain(reason);
  });
});
