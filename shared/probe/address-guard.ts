/**
 * The probe's address guard (pure): the gate builds a URL from data that came from an event and from AWS, and
 * must never be turned into a request to the metadata service, a hostname, or anything outside the VPC ranges.
 */

import { addressFamily, type CidrMatcher, createCidrMatcher, InvalidCidrError } from '../health';

/** The private IPv4 ranges (RFC 1918). Loopback is allowed only when configured. */
export const DEFAULT_PROBE_CIDRS: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/** Longest path accepted. */
export const MAX_PROBE_PATH_LENGTH = 512;

/** Ranges refused whatever the configuration says. */
const ALWAYS_DENIED: readonly { cidr: string; why: string }[] = [
  { cidr: '0.0.0.0/8', why: '"this network" (0.0.0.0/8)' },
  { cidr: '169.254.0.0/16', why: 'link-local (169.254.0.0/16, the instance metadata service)' },
  { cidr: '224.0.0.0/4', why: 'multicast (224.0.0.0/4)' },
  { cidr: '240.0.0.0/4', why: 'reserved or broadcast (240.0.0.0/4)' },
];

/** A probe target that passed the guard, or why it did not. */
export type TargetCheck = { ok: true; url: string } | { ok: false; reason: string };

// RFC 3986 path and query characters, less `@` (userinfo confusion) and `\` (WHATWG reads it as `/`).
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:%/?]*$/;

const DENIED = ALWAYS_DENIED.map(({ cidr, why }) => ({ matcher: createCidrMatcher([cidr]), why }));

/**
 * Checks a probe target and builds its URL, `http://<address>:<port><path>`, or says why it is refused.
 * Takes `unknown` because the values come from events and configuration: anything off is refused.
 *
 * @example
 * checkProbeTarget({ address: '10.0.1.15', port: 8080, path: '/health' });
 * // { ok: true, url: 'http://10.0.1.15:8080/health' }
 */
export function checkProbeTarget(target: {
  address: unknown;
  port: unknown;
  path: unknown;
  allowedCidrs?: readonly unknown[];
}): TargetCheck {
  const { address, port, path } = target;
  if (typeof address !== 'string') {
    return { ok: false, reason: 'address must be a string' };
  }
  // A strict dotted quad (the health library's rule: no leading zeros, which inet_aton would read as octal), so
  // the URL below names exactly this host. Instances are probed on their private IPv4 address only.
  if (addressFamily(address) !== 'ipv4') {
    return { ok: false, reason: `address ${describe(address)} is not a literal IPv4 address` };
  }
  const denied = DENIED.find(({ matcher }) => matcher.matches(address));
  if (denied) {
    return { ok: false, reason: `address ${address} is ${denied.why}: never probed` };
  }
  let allowed: CidrMatcher;
  try {
    // The one CIDR rule (shared/health/cidr): IPv6 ranges are valid and simply never admit an IPv4 address.
    allowed = createCidrMatcher(target.allowedCidrs ?? DEFAULT_PROBE_CIDRS);
  } catch (error) {
    if (!(error instanceof InvalidCidrError)) throw error;
    return { ok: false, reason: `allowed CIDR ${describe(error.cidr)} is invalid: ${error.reason}` };
  }
  if (!allowed.matches(address)) {
    return { ok: false, reason: `address ${address} is outside the allowed CIDRs` };
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, reason: `port ${describe(port)} is not an integer in 1..65535` };
  }
  if (typeof path !== 'string') {
    return { ok: false, reason: 'path must be a string' };
  }
  if (path.length > MAX_PROBE_PATH_LENGTH) {
    return { ok: false, reason: `path is longer than ${MAX_PROBE_PATH_LENGTH} characters` };
  }
  if (!path.startsWith('/') || path.startsWith('//') || !PATH.test(path)) {
    return {
      ok: false,
      reason: `path ${describe(path)} must start with a single '/' and hold only URL path characters (no '@', '\\', '#', spaces or control characters)`,
    };
  }
  const url = `http://${address}:${port}${path}`;
  // Defence in depth: the URL parser must agree that the host is exactly the address we checked.
  const parsed = new URL(url);
  if (
    parsed.hostname !== address ||
    parsed.username !== '' ||
    parsed.password !== '' ||
    parsed.protocol !== 'http:'
  ) {
    return { ok: false, reason: `URL ${describe(url)} does not resolve to ${address}` };
  }
  return { ok: true, url };
}

/** A value quoted and shortened for an error message. */
function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
