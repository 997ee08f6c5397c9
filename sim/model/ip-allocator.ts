/**
 * Private IPs for instances: each instance gets its own loopback address 127.0.1.N so a real process can
 * bind it and probes reach it by address, as in a VPC subnet.
 */
import { SimError } from './errors';

/** Hands out and takes back private IPs. */
export interface IpAllocator {
  allocate(): string;
  release(ip: string): void;
}

/** How freed addresses come back. */
export const IpReuse = {
  /** Lowest free address first: a terminated instance's IP is soon reused, as subnets do. */
  lowestFree: 'lowestFree',
  /** Walk forward and wrap: reuse only once every other address was used. */
  roundRobin: 'roundRobin',
} as const;
export type IpReuse = (typeof IpReuse)[keyof typeof IpReuse];

export interface IpAllocatorOptions {
  /** First three octets; must be inside 127.0.0.0/8. Default `127.0.1`. */
  prefix?: string;
  first?: number;
  last?: number;
  reuse?: IpReuse;
}

/** An allocator over `prefix.first` … `prefix.last` that never hands out an address still in use. */
export const ipAllocator = (options: IpAllocatorOptions = {}): IpAllocator => {
  const prefix = options.prefix ?? '127.0.1';
  const first = options.first ?? 1;
  const last = options.last ?? 254;
  if (!/^127\.\d{1,3}\.\d{1,3}$/.test(prefix)) {
    throw new SimError('InvalidConfiguration', `IP prefix ${prefix} is outside 127.0.0.0/8`);
  }
  const inUse = new Set<number>();
  let cursor = first;
  return {
    allocate() {
      const size = last - first + 1;
      const start = options.reuse === IpReuse.roundRobin ? cursor : first;
      for (let i = 0; i < size; i++) {
        const n = first + ((start - first + i) % size);
        if (!inUse.has(n)) {
          inUse.add(n);
          cursor = n + 1 > last ? first : n + 1;
          return `${prefix}.${n}`;
        }
      }
      throw new SimError('InsufficientInstanceCapacity', `No free private IP in ${prefix}.${first}-${last}`);
    },
    release(ip) {
      if (ip.startsWith(`${prefix}.`)) inUse.delete(Number(ip.slice(prefix.length + 1)));
    },
  };
};
