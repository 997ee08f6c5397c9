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
  const host = hostnameOf(hostHeader);
  if (host === undefined) {
    return false;
  }
  return patterns.some((raw) => {
    const pattern = normalise(raw);
    if (pattern.startsWith('.')) {
      return host === pattern.slice(1) || host.endsWith(pattern);
    }
    return host === pattern;
  });
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
