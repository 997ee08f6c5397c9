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

/** Options of {@link createSecretCache}. */
export interface SecretCacheOptions<V> {
  /** Reads the secret (from SSM). A failed read is not kept: the next read asks again. */
  load: () => Promise<V>;
  /** How long a read value is served; 0: every read loads. */
  ttlMs: number;
  /** A value loaded less than this long ago is kept even when called stale: bounds the reads a failure can cause. */
  minRefreshMs: number;
  /** Called when a stale value is dropped (to drop it from a shared answer too). */
  onDrop?: () => void;
  now?: () => number;
}

/** A cached secret that a failed use can call stale. */
export interface SecretCache<V> {
  read(): Promise<V>;
  /**
   * The value did not work (a token the app refused, a seal by a key this container does not know): drop it, so
   * the next read loads it again, unless it was loaded less than `minRefreshMs` ago. Says whether it was dropped.
   */
  stale(): boolean;
}

/**
 * A secret kept for a long TTL and read again as soon as using it fails, the way verifiers cache signing keys:
 * few reads while it works, a prompt re-read after a rotation. A use that keeps failing (a forged key id in every
 * message, an app that never accepts the token) costs at most one read per `minRefreshMs`.
 */
export function createSecretCache<V>(options: SecretCacheOptions<V>): SecretCache<V> {
  const now = options.now ?? Date.now;
  const cache = createTtlCache<V>({ ttlMs: options.ttlMs, now, maxEntries: 1 });
  let loadedAt = Number.NEGATIVE_INFINITY;
  return {
    read: () =>
      cache.get('value', () => {
        loadedAt = now();
        return options.load();
      }),
    stale() {
      if (now() - loadedAt < options.minRefreshMs) return false;
      cache.clear();
      options.onDrop?.();
      return true;
    },
  };
}
