/**
 * The probe's address guard (pure): the gate builds a URL from data that came from an event and from AWS, and
 * must never be turned into a request to the metadata service, a hostname, or anything outside the VPC ranges.
 */

import { isIPv6 } from 'node:net';

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

interface Range {
  network: number;
  mask: number;
}

// Strict dotted quad: four decimal octets, no leading zeros (inet_aton would read 010 as octal), nothing else.
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);
// RFC 3986 path and query characters, less `@` (userinfo confusion) and `\` (WHATWG reads it as `/`).
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:%/?]*$/;

/** The address as an unsigned 32-bit integer, or undefined when it is not a strict dotted quad. */
export function parseIpv4(address: string): number | undefined {
  const match = IPV4.exec(address);
  if (!match) {
    return undefined;
  }
  // Integer arithmetic by hand: node:net's BlockList accepts forms this guard must refuse, so parsing is ours anyway.
  return match.slice(1, 5).reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** Parses `a.b.c.d/n` (a bare address is a /32); undefined when invalid. */
export function parseCidr(cidr: string): Range | undefined {
  const [address = '', prefixText, ...rest] = cidr.trim().split('/');
  const ip = parseIpv4(address);
  const prefix =
    prefixText === undefined ? 32 : /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (ip === undefined || rest.length > 0 || !(prefix >= 0 && prefix <= 32)) {
    return undefined;
  }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (ip & mask) >>> 0, mask };
}

/** A well-formed IPv6 CIDR (`fd00::/8`); an IPv6 address needs its prefix length. */
function isIpv6Cidr(cidr: unknown): boolean {
  if (typeof cidr !== 'string') return false;
  const [address = '', prefix, ...rest] = cidr.trim().split('/');
  return (
    rest.length === 0 &&
    prefix !== undefined &&
    /^\d{1,3}$/.test(prefix) &&
    Number(prefix) <= 128 &&
    isIPv6(address)
  );
}

function inRange(ip: number, range: Range): boolean {
  return (ip & range.mask) >>> 0 === range.network;
}

const DENIED = ALWAYS_DENIED.map(({ cidr, why }) => ({ range: parseCidr(cidr) as Range, why }));

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
  const ip = parseIpv4(address);
  if (ip === undefined) {
    return { ok: false, reason: `address ${describe(address)} is not a literal IPv4 address` };
  }
  const denied = DENIED.find(({ range }) => inRange(ip, range));
  if (denied) {
    return { ok: false, reason: `address ${address} is ${denied.why}: never probed` };
  }
  const ranges: Range[] = [];
  for (const cidr of target.allowedCidrs ?? DEFAULT_PROBE_CIDRS) {
    // The policy accepts IPv6 ranges; they cannot hold an IPv4 address, so they are skipped, not an error.
    if (isIpv6Cidr(cidr)) continue;
    const range = typeof cidr === 'string' ? parseCidr(cidr) : undefined;
    if (!range) {
      return { ok: false, reason: `allowed CIDR ${describe(cidr)} is invalid` };
    }
    ranges.push(range);
  }
  if (!ranges.some((range) => inRange(ip, range))) {
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
