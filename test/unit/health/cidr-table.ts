/**
 * The CIDR table every caller of shared/health/cidr is tested against: the parser itself, the policy's
 * `probeCidrs`, the functions' `PROBE_CIDRS`, the probe's address guard and the health library's auth CIDRs.
 * Entries hold no comma and no leading or trailing whitespace, since `PROBE_CIDRS` splits on commas and trims
 * around them (list syntax, not the CIDR rule); cidr.test.ts covers those forms on the parser alone.
 */

/** A CIDR every caller accepts, with what it parses to. */
export interface AcceptedCidr {
  text: string;
  family: 'ipv4' | 'ipv6';
  prefix: number;
  why: string;
}

/** A CIDR every caller refuses; `reason` is a fragment of the parser's explanation. */
export interface RefusedCidr {
  text: string;
  reason: string;
}

export const ACCEPTED_CIDRS: readonly AcceptedCidr[] = [
  { text: '10.0.0.0/8', family: 'ipv4', prefix: 8, why: 'RFC 1918' },
  { text: '172.16.0.0/12', family: 'ipv4', prefix: 12, why: 'RFC 1918' },
  { text: '127.0.1.0/24', family: 'ipv4', prefix: 24, why: "the sim's loopback range" },
  { text: '0.0.0.0/0', family: 'ipv4', prefix: 0, why: 'every IPv4 address' },
  { text: '10.0.0.7', family: 'ipv4', prefix: 32, why: 'a bare IPv4 address is one host' },
  { text: '10.0.0.7/32', family: 'ipv4', prefix: 32, why: 'one host, written out' },
  { text: '255.255.255.255/32', family: 'ipv4', prefix: 32, why: 'the largest octets' },
  { text: 'fd00::/8', family: 'ipv6', prefix: 8, why: 'unique local' },
  { text: 'FD00::/8', family: 'ipv6', prefix: 8, why: 'hex digits in either case' },
  { text: '2001:db8::/32', family: 'ipv6', prefix: 32, why: 'compressed' },
  {
    text: '2001:0db8:0000::/48',
    family: 'ipv6',
    prefix: 48,
    why: 'leading zeros inside IPv6 groups are plain hex',
  },
  { text: '2001:db8:0:0:0:0:0:0/64', family: 'ipv6', prefix: 64, why: 'uncompressed' },
  { text: '2001:db8::1:0/112', family: 'ipv6', prefix: 112, why: 'a prefix that ends inside a group' },
  { text: '::/0', family: 'ipv6', prefix: 0, why: 'every IPv6 address' },
  { text: '::1', family: 'ipv6', prefix: 128, why: 'a bare IPv6 address is one host' },
  { text: '64:ff9b::10.0.0.0/104', family: 'ipv6', prefix: 104, why: 'a trailing dotted quad (NAT64)' },
];

export const REFUSED_CIDRS: readonly RefusedCidr[] = [
  { text: '10.0.0.0/33', reason: 'out of range' },
  { text: 'fd00::/129', reason: 'out of range' },
  { text: '10.0.0.0/08', reason: 'leading zero' },
  { text: 'fd00::/008', reason: 'leading zero' },
  { text: '10.0.0.0/+8', reason: 'without sign' },
  { text: '10.0.0.0/-1', reason: 'without sign' },
  { text: '10.0.0.0/', reason: 'not a decimal number' },
  { text: '10.0.0.0/x', reason: 'not a decimal number' },
  { text: '10.0.0.0/8/8', reason: "more than one '/'" },
  { text: '010.0.0.0/8', reason: 'leading zero' },
  { text: '10.0.0.01', reason: 'leading zero' },
  { text: '::ffff:010.0.0.1', reason: 'leading zero' },
  { text: '10.0.0/8', reason: 'not an IPv4 or IPv6 address' },
  { text: '167772161', reason: 'not an IPv4 or IPv6 address' },
  { text: '0x0a.0.0.0/8', reason: 'not an IPv4 or IPv6 address' },
  { text: '256.0.0.0/8', reason: 'not an IPv4 or IPv6 address' },
  { text: 'fd00:::/8', reason: 'not an IPv4 or IPv6 address' },
  { text: '[fd00::]/8', reason: 'not an IPv4 or IPv6 address' },
  { text: 'example.com', reason: 'not an IPv4 or IPv6 address' },
  { text: '10.0.0.0 /8', reason: 'whitespace' },
  { text: '10.0.0.0/ 8', reason: 'whitespace' },
  { text: 'fe80::%eth0/64', reason: 'zone id' },
  { text: 'fe80::1%eth0', reason: 'zone id' },
  { text: '10.0.0.1/8', reason: 'host bits set: the network is 10.0.0.0/8' },
  { text: '192.168.1.1/16', reason: 'host bits set: the network is 192.168.0.0/16' },
  { text: 'fd00::1/8', reason: 'host bits set: the network is fd00::/8' },
  { text: '2001:db8::1:0/111', reason: 'host bits set: the network is 2001:db8::/111' },
  { text: '::ffff:10.0.0.0/104', reason: 'write it as the IPv4 CIDR 10.0.0.0/8' },
  { text: '::ffff:10.0.0.7', reason: 'write it as the IPv4 CIDR 10.0.0.7/32' },
  { text: '::ffff:0:0/96', reason: 'write it as the IPv4 CIDR 0.0.0.0/0' },
];
