import { describe, expect, it } from 'vitest';
import { allowedHostsFor, createHostCheck, hostnameOf, isAllowedHost } from '../../../app/allowed-hosts';
import { escapeHtml, HOME_MARKER, renderHome } from '../../../app/home';
import { httpsRedirectTarget, isHealthPath } from '../../../app/https-redirect';
import { parseHostsFile } from '../../../app/instance-identity';

describe('allowed hosts', () => {
  it('parses Host headers', () => {
    expect(hostnameOf('Example.COM:8080')).toBe('example.com');
    expect(hostnameOf('[::1]:80')).toBe('::1');
    expect(hostnameOf('bad host')).toBeUndefined();
    expect(hostnameOf('[nope]')).toBeUndefined();
    expect(hostnameOf(undefined)).toBeUndefined();
  });

  it('matches exact hosts and dot-prefixed domains, ignoring ports; nothing admits nothing', () => {
    const patterns = ['www.example.com', '.example.org', '10.0.1.5'];
    expect(isAllowedHost('www.example.com:443', patterns)).toBe(true);
    expect(isAllowedHost('example.org', patterns)).toBe(true);
    expect(isAllowedHost('a.b.example.org', patterns)).toBe(true);
    expect(isAllowedHost('badexample.org', patterns)).toBe(false);
    expect(isAllowedHost('10.0.1.5:8080', patterns)).toBe(true);
    expect(isAllowedHost('10.0.1.6', patterns)).toBe(false);
    expect(isAllowedHost(undefined, patterns)).toBe(false);
    expect(isAllowedHost('www.example.com', [])).toBe(false);
  });

  it('a compiled check answers as isAllowedHost, the same Host the same way every time, past its memo too', () => {
    const patterns = ['WWW.Example.com', '.example.org', '[fd00::5]'];
    const allowed = createHostCheck(patterns);
    const hosts = [
      'www.example.com',
      'Www.Example.Com:80',
      'x.example.org',
      'example.org.evil',
      '[fd00::5]:8080',
    ];
    for (let i = 0; i < 600; i += 1) {
      // 600 distinct misses overflow the memo; the known hosts must still answer alike.
      expect(allowed(`h${i}.invalid`)).toBe(false);
      for (const host of hosts) {
        expect(allowed(host), host).toBe(isAllowedHost(host, patterns));
      }
    }
    expect(hosts.map((h) => allowed(h))).toEqual([true, true, true, false, true]);
    expect(allowed(undefined)).toBe(false);
    expect(createHostCheck([])('www.example.com')).toBe(false);
  });

  it('adds the hosts file, the private IP and a specific bind address, never a wildcard', () => {
    expect(
      allowedHostsFor({
        configured: ['A.example'],
        fileHosts: ['10.0.0.9'],
        privateIp: '10.0.0.7',
        bindHost: '0.0.0.0',
      }),
    ).toEqual(['a.example', '10.0.0.9', '10.0.0.7']);
    expect(allowedHostsFor({ configured: [], fileHosts: [], bindHost: '127.0.1.4' })).toEqual(['127.0.1.4']);
    expect(allowedHostsFor({ configured: [], fileHosts: [], bindHost: '::' })).toEqual([]);
  });

  it('parses a hosts file', () => {
    expect(
      parseHostsFile('# written by user-data\n10.0.0.7\nwww.example.com, api.example.com # both\n\n'),
    ).toEqual(['10.0.0.7', 'www.example.com', 'api.example.com']);
  });
});

describe('https redirect', () => {
  it('redirects anything not forwarded as https, keeping host and path', () => {
    expect(httpsRedirectTarget({ url: '/a?b=1', host: 'x.example', forwardedProto: undefined })).toBe(
      'https://x.example/a?b=1',
    );
    expect(httpsRedirectTarget({ url: '/', host: 'x.example', forwardedProto: 'http' })).toBe(
      'https://x.example/',
    );
    expect(httpsRedirectTarget({ url: '/', host: 'x.example', forwardedProto: 'HTTPS' })).toBeUndefined();
    expect(
      httpsRedirectTarget({ url: '/', host: 'x.example', forwardedProto: 'https, http' }),
    ).toBeUndefined();
  });

  it('never redirects health routes', () => {
    for (const url of ['/health', '/health/live', '/health?x=1']) {
      expect(isHealthPath(url)).toBe(true);
      expect(httpsRedirectTarget({ url, host: 'x', forwardedProto: undefined })).toBeUndefined();
    }
    expect(isHealthPath('/healthy')).toBe(false);
  });
});

describe('home page', () => {
  it('escapes what the database holds', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = renderHome([
      { code: 'X', name: '<script>', fuel: 'gas', unit_rate_pence: 1, standing_charge_pence: 2 },
    ]);
    expect(html).toContain(HOME_MARKER);
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(renderHome([])).toContain('No tariffs yet.');
  });
});
