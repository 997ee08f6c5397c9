import { isIP } from 'node:net';

/**
 * Hostname of a Host header, lower-cased, without port or IPv6 brackets; `undefined` when absent or malformed.
 */
export function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined) {
    return undefined;
  }
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    const inner = end > 0 ? host.slice(1, end) : '';
    return isIP(inner) === 6 && /^(:\d+)?$/.test(host.slice(end + 1)) ? inner : undefined;
  }
  const match = /^([a-z0-9.-]+)(?::(\d+))?$/.exec(host);
  return match?.[1] && match[1] !== '' ? match[1] : undefined;
}

/** Normalises a configured host: lower case, no brackets, no port; a leading dot (`.example.com`) is kept. */
function normalise(pattern: string): string {
  const p = pattern.trim().toLowerCase();
  if (p.startsWith('.')) {
    return p;
  }
  return hostnameOf(p) ?? p.replace(/^\[|\]$/g, '');
}

/**
 * Whether a request's Host header names this app. Patterns are exact hostnames or IPs, or `.example.com`
 * for the domain and its subdomains (Django's convention). Ports are ignored. No patterns admit nothing.
 */
export function isAllowedHost(hostHeader: string | undefined, patterns: readonly string[]): boolean {
  return createHostCheck(patterns)(hostHeader);
}

// A few Host values arrive over and over (the domain, the instance's IP); past this many the memo starts afresh.
const MAX_REMEMBERED_HOSTS = 256;

/**
 * {@link isAllowedHost} for one set of patterns, compiled once: the patterns are normalised here, not per
 * request, and each Host header value's answer is remembered (bounded), since a server sees few distinct ones.
 *
 * @example
 * const allowed = createHostCheck(['.example.com', '10.0.1.5']);
 * allowed('www.example.com:443'); // true
 */
export function createHostCheck(patterns: readonly string[]): (hostHeader: string | undefined) => boolean {
  const normalised = patterns.map(normalise);
  const exact = new Set(normalised.filter((p) => !p.startsWith('.')));
  const domains = normalised.filter((p) => p.startsWith('.'));
  const judge = (hostHeader: string | undefined): boolean => {
    const host = hostnameOf(hostHeader);
    if (host === undefined) {
      return false;
    }
    return exact.has(host) || domains.some((d) => host === d.slice(1) || host.endsWith(d));
  };
  const memo = new Map<string, boolean>();
  return (hostHeader) => {
    if (hostHeader === undefined) {
      return false;
    }
    let allowed = memo.get(hostHeader);
    if (allowed === undefined) {
      allowed = judge(hostHeader);
      if (memo.size >= MAX_REMEMBERED_HOSTS) {
        memo.clear();
      }
      memo.set(hostHeader, allowed);
    }
    return allowed;
  };
}

/** The wildcard bind addresses, which name no host. */
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The app's allowed hosts: configured `ALLOWED_HOSTS`, the hosts file, the private IP from IMDS, and the bind
 * address when it is a specific IP (an address the server itself listens on names this app).
 */
export function allowedHostsFor(input: {
  configured: readonly string[];
  fileHosts: readonly string[];
  privateIp?: string;
  bindHost: string;
}): string[] {
  const hosts = [...input.configured, ...input.fileHosts];
  if (input.privateIp) {
    hosts.push(input.privateIp);
  }
  if (!WILDCARDS.has(input.bindHost) && isIP(input.bindHost) !== 0) {
    hosts.push(input.bindHost);
  }
  return [...new Set(hosts.map(normalise))];
}
