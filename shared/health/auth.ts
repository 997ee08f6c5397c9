import { timingSafeEqual } from 'node:crypto';
import { type CidrMatcher, createCidrMatcher } from './cidr.js';
import type { HealthAuth } from './types.js';

/** The request fields authorisation reads. `ip` should be the socket's peer, not a forwarded header. */
export interface HealthRequestLike {
  headers: Record<string, string | string[] | undefined>;
  ip: string;
}

/** Decides, per request, whether the caller may see the full body; built once from a {@link HealthAuth}. */
export type Authoriser = (req: HealthRequestLike) => boolean;

export const DEFAULT_TOKEN_HEADER = 'x-health-token';

// Peers are few (load balancer nodes, the gate); past this many distinct addresses the memo starts afresh.
const MAX_REMEMBERED_PEERS = 256;

// Compiled once per auth object: the request path only matches.
const compiledCidrs = new WeakMap<HealthAuth, CidrMatcher>();
const compiledAuthorisers = new WeakMap<HealthAuth, Authoriser>();

/**
 * Compiles `auth.cidrs` by the one CIDR rule (./cidr), throwing `InvalidCidrError` (a `HealthConfigError`) on
 * the first invalid one. Call it at setup to fail fast; {@link createAuthoriser} calls it too.
 */
export function compileAuth(auth: HealthAuth): CidrMatcher {
  const existing = compiledCidrs.get(auth);
  if (existing) {
    return existing;
  }
  const matcher = createCidrMatcher(auth.cidrs ?? []);
  compiledCidrs.set(auth, matcher);
  return matcher;
}

/**
 * Compiles `auth` into an {@link Authoriser}: the token's bytes and the header name are computed once, the
 * CIDRs parsed once (an invalid one throws `InvalidCidrError` here, not per request), and each peer address's
 * answer remembered. A request is authorised when its token header equals `auth.token` (compared in constant
 * time over the token's length) or its source address lies in one of `auth.cidrs`; no token and no CIDRs
 * authorise nobody.
 *
 * @example
 * const authorise = createAuthoriser({ token: process.env.HEALTH_TOKEN, cidrs: ['10.0.0.0/16'] });
 * authorise({ headers: req.headers, ip: req.socket.remoteAddress ?? '' });
 */
export function createAuthoriser(auth: HealthAuth): Authoriser {
  const matcher = compileAuth(auth);
  const header = (auth.header ?? DEFAULT_TOKEN_HEADER).toLowerCase();
  const expected = auth.token ? Buffer.from(auth.token, 'utf8') : undefined;
  // What a presented value of another length is compared with, so that comparison costs the same as a real one.
  const standIn = expected ? Buffer.alloc(expected.length) : undefined;
  const peers = new Map<string, boolean>();
  const addressAllowed = (ip: string): boolean => {
    const known = peers.get(ip);
    if (known !== undefined) {
      return known;
    }
    // A link-local peer carries the zone of the interface it came in on (fe80::1%eth0); the address is what the
    // CIDRs name, so the zone goes before matching.
    const allowed = matcher.matches(ip.split('%', 1)[0] ?? '');
    if (peers.size >= MAX_REMEMBERED_PEERS) {
      peers.clear();
    }
    peers.set(ip, allowed);
    return allowed;
  };
  const anyCidr = matcher.cidrs.length > 0;
  return (req) => {
    if (expected !== undefined && standIn !== undefined) {
      const presented = req.headers[header];
      // A repeated header is ambiguous: refuse it rather than pick one.
      if (typeof presented === 'string' && presented !== '') {
        // Constant time over the token's length whatever is presented: a value of another length is swapped for
        // a stand-in of the token's length, so neither the content nor the length of the token shows in the time
        // taken (a digest of each presented value did the same at several times the cost per probe).
        const candidate = Buffer.from(presented, 'utf8');
        const sameLength = candidate.length === expected.length;
        if (timingSafeEqual(sameLength ? candidate : standIn, expected) && sameLength) {
          return true;
        }
      }
    }
    return anyCidr && addressAllowed(req.ip);
  };
}

/**
 * Whether `req` may see the full body, by {@link createAuthoriser}'s rule; the compiled authoriser is kept per
 * `auth` object, so calling this per request costs no recompilation.
 */
export function isAuthorised(req: HealthRequestLike, auth: HealthAuth): boolean {
  let authorise = compiledAuthorisers.get(auth);
  if (authorise === undefined) {
    authorise = createAuthoriser(auth);
    compiledAuthorisers.set(auth, authorise);
  }
  return authorise(req);
}
