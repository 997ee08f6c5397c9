import { createHash, timingSafeEqual } from 'node:crypto';
import { type CidrMatcher, createCidrMatcher } from './cidr';
import type { HealthAuth } from './types';

/** The request fields authorisation reads. `ip` should be the socket's peer, not a forwarded header. */
export interface HealthRequestLike {
  headers: Record<string, string | string[] | undefined>;
  ip: string;
}

export const DEFAULT_TOKEN_HEADER = 'x-health-token';

// Compiled once per auth object: the request path only matches.
const compiled = new WeakMap<HealthAuth, CidrMatcher>();

/**
 * Compiles `auth.cidrs` by the one CIDR rule (./cidr), throwing `InvalidCidrError` (a `HealthConfigError`) on
 * the first invalid one. Call it at setup to fail fast; {@link isAuthorised} calls it too and caches the result.
 */
export function compileAuth(auth: HealthAuth): CidrMatcher {
  const existing = compiled.get(auth);
  if (existing) {
    return existing;
  }
  const matcher = createCidrMatcher(auth.cidrs ?? []);
  compiled.set(auth, matcher);
  return matcher;
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

function addressAllowed(ip: string, matcher: CidrMatcher): boolean {
  // A link-local peer carries the zone of the interface it came in on (fe80::1%eth0); the address is what the
  // CIDRs name, so the zone goes before matching.
  return matcher.matches(ip.split('%', 1)[0] ?? '');
}
