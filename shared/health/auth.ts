import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { HealthConfigError } from './errors';
import type { HealthAuth } from './types';

/** The request fields authorisation reads. `ip` should be the socket's peer, not a forwarded header. */
export interface HealthRequestLike {
  headers: Record<string, string | string[] | undefined>;
  ip: string;
}

export const DEFAULT_TOKEN_HEADER = 'x-health-token';

// node:net's BlockList does the CIDR matching (IPv4, IPv6, IPv6-mapped IPv4); compiled once per auth object.
const compiled = new WeakMap<HealthAuth, BlockList>();

/**
 * Compiles `auth.cidrs`, throwing {@link HealthConfigError} on the first invalid one. Call it at setup to fail
 * fast; {@link isAuthorised} calls it too and caches the result.
 */
export function compileAuth(auth: HealthAuth): BlockList {
  const existing = compiled.get(auth);
  if (existing) {
    return existing;
  }
  const list = new BlockList();
  for (const cidr of auth.cidrs ?? []) {
    const [address = '', prefixText, ...rest] = cidr.trim().split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (family === 0 || rest.length > 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new HealthConfigError(`invalid CIDR in health auth: ${cidr}`, { cidr });
    }
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  compiled.set(auth, list);
  return list;
}

/**
 * Whether `req` may see the full body: the token header equals `auth.token` (compared in constant time),
 * or the source address lies in one of `auth.cidrs`. No token and no CIDRs authorise nobody (fail closed).
 */
export function isAuthorised(req: HealthRequestLike, auth: HealthAuth): boolean {
  return tokenMatches(req, auth) || addressAllowed(req.ip, compileAuth(auth));
}

function tokenMatches(req: HealthRequestLike, auth: HealthAuth): boolean {
  if (!auth.token) {
    return false;
  }
  const presented = req.headers[(auth.header ?? DEFAULT_TOKEN_HEADER).toLowerCase()];
  // A repeated header is ambiguous: refuse it rather than pick one.
  if (typeof presented !== 'string' || presented === '') {
    return false;
  }
  // Hashing both sides gives equal lengths, so neither the content nor the length leaks through timing.
  return timingSafeEqual(digest(presented), digest(auth.token));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function addressAllowed(ip: string, list: BlockList): boolean {
  // Strip an IPv6 zone id (fe80::1%eth0): BlockList does not parse it.
  const address = ip.split('%', 1)[0] ?? '';
  const family = isIP(address);
  if (family === 0) {
    return false;
  }
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
