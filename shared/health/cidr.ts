/**
 * The one CIDR parser and matcher: the health library's authorised CIDRs, and (imported from here) the gate
 * policy's `probeCidrs`, the functions' `PROBE_CIDRS` and the probe's address guard. It lives in the health
 * library because that library must stand alone, so it uses node built-ins only (`net.isIP`, `net.BlockList`).
 *
 * The rule, one for every caller:
 * - `address/prefix`, or a bare address meaning one host (`/32`, `/128`).
 * - IPv4: a dotted quad of decimal octets 0–255 without leading zeros (`010` is octal to `inet_aton`, so it
 *   would name a different host to some readers).
 * - IPv6: the RFC 4291 text forms (`::` compression, a trailing dotted quad, hex digits in either case); no zone
 *   id (`fe80::1%eth0`): a range is not tied to an interface.
 * - prefix: decimal, no sign and no leading zero (`/08` is refused), 0–32 for IPv4 and 0–128 for IPv6.
 * - no whitespace inside an entry (lists may space their separators; they trim, this does not).
 * - host bits clear: `10.0.0.1/8` is refused, since it may mean `10.0.0.0/8` or `10.0.0.1/32` and an allow-list
 *   should not guess which.
 * - an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, in either notation) is the IPv4 host `a.b.c.d`: it matches
 *   IPv4 CIDRs only, and IPv6 CIDRs (`::/0` included) never admit an IPv4 host. A CIDR inside `::ffff:0:0/96` is
 *   refused: write the IPv4 CIDR instead.
 */
import { BlockList, isIP } from 'node:net';
import { HealthConfigError } from './errors.js';

/** An address family, as `net.BlockList` names it. */
export type IpFamily = 'ipv4' | 'ipv6';

/** A valid CIDR: its network address as written, and its prefix length (a bare address: the family's maximum). */
export interface Cidr {
  readonly family: IpFamily;
  readonly address: string;
  readonly prefix: number;
}

/** {@link checkCidr}'s answer: the CIDR, or why the text is not one. */
export type CidrCheck = { ok: true; cidr: Cidr } | { ok: false; reason: string };

/** A CIDR list that failed {@link createCidrMatcher}; a {@link HealthConfigError}, since it is one. */
export class InvalidCidrError extends HealthConfigError {
  override readonly name = 'InvalidCidrError';
  constructor(
    readonly cidr: unknown,
    readonly reason: string,
  ) {
    super(`invalid CIDR ${quote(cidr)}: ${reason}`, { cidr, reason });
  }
}

/** Matches addresses against a list of CIDRs compiled once. */
export interface CidrMatcher {
  /** The list, parsed. */
  readonly cidrs: readonly Cidr[];
  /**
   * Whether `address` lies in one of the CIDRs. The address follows the same rule as a CIDR's address (no zone
   * id, no leading zeros); anything that is not such an address matches nothing.
   */
  matches(address: string): boolean;
}

const MAX_PREFIX = { ipv4: 32, ipv6: 128 } as const;
const PREFIX = /^(0|[1-9][0-9]{0,2})$/;
const LEADING_ZERO_OCTET = /(^|\.)0[0-9]/;
const WHITESPACE = /\s/;

// IPv4-mapped IPv6 addresses; BlockList matches them against IPv4 rules, which is how they are routed below.
const MAPPED = new BlockList();
MAPPED.addSubnet('::ffff:0:0', 96, 'ipv6');

/**
 * Parses one CIDR by the module's rule, saying why it is refused.
 *
 * @example
 * checkCidr('10.0.0.0/8'); // { ok: true, cidr: { family: 'ipv4', address: '10.0.0.0', prefix: 8 } }
 * checkCidr('10.0.0.1/8'); // { ok: false, reason: 'host bits set: the network is 10.0.0.0/8 (10.0.0.1/32 is the host)' }
 */
export function checkCidr(text: unknown): CidrCheck {
  if (typeof text !== 'string') return refuse('not a string');
  if (text === '') return refuse('empty');
  if (WHITESPACE.test(text)) return refuse('contains whitespace');
  const [address = '', prefixText, ...rest] = text.split('/');
  if (rest.length > 0) return refuse("more than one '/'");
  if (address.includes('%')) return refuse('has a zone id (%...); a range is not tied to an interface');
  const family = addressFamily(address);
  if (family === undefined) {
    // isIP refuses these too; the reason says why, since `010` looks harmless.
    const dotted = address.slice(address.lastIndexOf(':') + 1);
    return refuse(
      dotted.includes('.') && LEADING_ZERO_OCTET.test(dotted)
        ? 'an IPv4 octet has a leading zero (ambiguous: octal to some parsers)'
        : 'not an IPv4 or IPv6 address',
    );
  }
  const max = MAX_PREFIX[family];
  let prefix: number = max;
  if (prefixText !== undefined) {
    if (!PREFIX.test(prefixText)) {
      return refuse(`prefix /${prefixText} is not a decimal number without sign or leading zero`);
    }
    prefix = Number(prefixText);
    if (prefix > max) return refuse(`prefix /${prefix} is out of range for ${family} (0-${max})`);
  }
  const words = addressWords(address, family);
  if (family === 'ipv6' && prefix >= 96 && MAPPED.check(address, 'ipv6')) {
    const ipv4 = formatWords(words.slice(6), 'ipv4');
    return refuse(`IPv4-mapped (inside ::ffff:0:0/96): write it as the IPv4 CIDR ${ipv4}/${prefix - 96}`);
  }
  const network = words.map((word, i) => word & wordMask(prefix - i * 16));
  if (network.some((word, i) => word !== words[i])) {
    return refuse(
      `host bits set: the network is ${formatWords(network, family)}/${prefix} (${address}/${max} is the host)`,
    );
  }
  return { ok: true, cidr: { family, address, prefix } };
}

/**
 * Parses one CIDR by the module's rule; undefined when it is not one ({@link checkCidr} says why).
 *
 * @example
 * parseCidr('fd00::/8'); // { family: 'ipv6', address: 'fd00::', prefix: 8 }
 */
export function parseCidr(text: unknown): Cidr | undefined {
  const result = checkCidr(text);
  return result.ok ? result.cidr : undefined;
}

/**
 * Compiles a list of CIDRs into a matcher (node's `BlockList` does the bit work), throwing
 * {@link InvalidCidrError} on the first entry that breaks the rule. An empty list matches nothing.
 *
 * @example
 * const matcher = createCidrMatcher(['10.0.0.0/8', 'fd00::/8']);
 * matcher.matches('::ffff:10.1.2.3'); // true: an IPv4-mapped address is its IPv4 host
 */
export function createCidrMatcher(cidrs: readonly unknown[]): CidrMatcher {
  const parsed: Cidr[] = [];
  // One list per family, so an IPv6 rule such as ::/0 is never asked about an IPv4 host.
  const lists = { ipv4: new BlockList(), ipv6: new BlockList() };
  for (const text of cidrs) {
    const result = checkCidr(text);
    if (!result.ok) throw new InvalidCidrError(text, result.reason);
    const { family, address, prefix } = result.cidr;
    lists[family].addSubnet(address, prefix, family);
    parsed.push(result.cidr);
  }
  return {
    cidrs: parsed,
    matches(address) {
      const family = addressFamily(address);
      if (family === 'ipv4') return lists.ipv4.check(address, 'ipv4');
      if (family === 'ipv6') {
        return MAPPED.check(address, 'ipv6')
          ? lists.ipv4.check(address, 'ipv6')
          : lists.ipv6.check(address, 'ipv6');
      }
      return false;
    },
  };
}

/**
 * The family of a literal address by the module's rule (no zone id, no leading zeros, no whitespace), or
 * undefined when `address` is not one.
 */
export function addressFamily(address: unknown): IpFamily | undefined {
  // isIP accepts a zone id (fe80::1%eth0); the rule does not.
  if (typeof address !== 'string' || address.includes('%')) return undefined;
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

function refuse(reason: string): CidrCheck {
  return { ok: false, reason };
}

/** The mask of one 16-bit word of which the prefix covers the top `bits` bits (none below 0, all above 16). */
function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 16) return 0xffff;
  return (0xffff << (16 - bits)) & 0xffff;
}

/**
 * The address as 16-bit words (2 for IPv4, 8 for IPv6); only the host-bit check needs them, since BlockList
 * matches but does not say whether an address is its network's first.
 */
function addressWords(address: string, family: IpFamily): number[] {
  if (family === 'ipv4') {
    const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number);
    return [a * 256 + b, c * 256 + d];
  }
  // Valid by isIP: at most one '::', groups of 1–4 hex digits, a dotted quad only at the end.
  const groups = (part: string): number[] =>
    part === ''
      ? []
      : part
          .split(':')
          .flatMap((g) => (g.includes('.') ? addressWords(g, 'ipv4') : [Number.parseInt(g, 16)]));
  const gap = address.indexOf('::');
  if (gap === -1) return groups(address);
  const head = groups(address.slice(0, gap));
  const tail = groups(address.slice(gap + 2));
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

function formatWords(words: readonly number[], family: IpFamily): string {
  if (family === 'ipv4') {
    return words.flatMap((w) => [w >> 8, w & 0xff]).join('.');
  }
  // The URL parser writes IPv6 in its canonical compressed form (RFC 5952).
  return new URL(`http://[${words.map((w) => w.toString(16)).join(':')}]/`).hostname.slice(1, -1);
}

function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
