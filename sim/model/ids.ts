/** Identifier generation from an injected source of randomness, so a seeded run yields the same ids. */

/** Returns a float in [0, 1), like `Math.random`. */
export type Random = () => number;

/** mulberry32: a tiny seeded PRNG; a library would be overkill for reproducible test ids. */
export const seededRandom = (seed: number): Random => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const hex = (random: Random, n: number): string =>
  Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');

/** Generators for the ids the control plane hands out. */
export interface IdGenerator {
  instanceId(): string;
  uuid(): string;
  launchTemplateId(): string;
  requestId(): string;
}

/** Ids shaped like AWS's (`i-` + 17 hex digits, `lt-` + 17, RFC 4122 v4 uuids). */
export const idGenerator = (random: Random): IdGenerator => {
  const uuid = () => {
    const h = hex(random, 32);
    const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  return {
    instanceId: () => `i-${hex(random, 17)}`,
    launchTemplateId: () => `lt-${hex(random, 17)}`,
    uuid,
    requestId: uuid,
  };
};
