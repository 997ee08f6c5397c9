/** Options of {@link createTtlCache}. */
export interface TtlCacheOptions {
  /** How long a loaded value is served; 0 disables caching. */
  ttlMs: number;
  /** Milliseconds clock; default `Date.now`. */
  now?: () => number;
  /** Oldest entries are dropped beyond this many; default 256. */
  maxEntries?: number;
}

/** A per-container cache: values live for a TTL; concurrent loads of one key share one promise. */
export interface TtlCache<V> {
  get(key: string, load: () => Promise<V>): Promise<V>;
  clear(): void;
}

/**
 * A tiny TTL cache, hand-written because @aws-lambda-powertools/parameters (whose cache would do) is not a
 * dependency, and twenty lines do not justify one. Failed loads are not cached: the next call retries.
 */
export function createTtlCache<V>(options: TtlCacheOptions): TtlCache<V> {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 256;
  const entries = new Map<string, { expiresAt: number; value: Promise<V> }>();

  return {
    get(key, load) {
      const entry = entries.get(key);
      if (entry && now() < entry.expiresAt) {
        return entry.value;
      }
      entries.delete(key);
      const value = load();
      if (options.ttlMs > 0) {
        const fresh = { expiresAt: now() + options.ttlMs, value };
        entries.set(key, fresh);
        value.catch(() => {
          if (entries.get(key) === fresh) {
            entries.delete(key);
          }
        });
        while (entries.size > maxEntries) {
          const oldest = entries.keys().next().value;
          if (oldest === undefined) break;
          entries.delete(oldest);
        }
      }
      return value;
    },
    clear() {
      entries.clear();
    },
  };
}
