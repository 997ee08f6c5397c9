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

/** What a secret's load gives: the value, and when SSM answered it if that was before the load (a shared answer). */
export interface SecretRead<V> {
  value: V;
  /** Epoch ms at which SSM answered; default: when the load started. The value's age counts from here. */
  readAt?: number;
}

/** Options of {@link createSecretCache}. */
export interface SecretCacheOptions<V> {
  /** Reads the secret (from SSM). A failed read is not kept: the next read asks again. */
  load: () => Promise<SecretRead<V>>;
  /** How long a value is served, counted from when SSM answered it; 0: every read loads. */
  ttlMs: number;
  /** A value SSM answered less than this long ago is kept even when called stale: bounds what a failure costs. */
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
   * the next read loads it again, unless SSM answered it less than `minRefreshMs` ago. Says whether it was dropped.
   */
  stale(): boolean;
}

/**
 * A secret kept for a long TTL and read again as soon as using it fails, the way verifiers cache signing keys:
 * few reads while it works, a prompt re-read after a rotation. Its age counts from SSM's answer, so a value taken
 * from an answer shared with other reads is never kept past `ttlMs` of that answer. A use that keeps failing (a
 * forged key id in every message, an app that never accepts the token) costs at most one read per `minRefreshMs`.
 */
export function createSecretCache<V>(options: SecretCacheOptions<V>): SecretCache<V> {
  const now = options.now ?? Date.now;
  // One value, or one load in flight that concurrent reads share (expiresAt infinite until it resolves).
  let entry: { value: Promise<V>; readAt: number; expiresAt: number } | undefined;
  return {
    read() {
      const started = now();
      if (entry && started < entry.expiresAt) return entry.value;
      const loading: { value: Promise<V>; readAt: number; expiresAt: number } = {
        value: options.load().then(
          ({ value, readAt }) => {
            loading.readAt = Math.min(readAt ?? started, started);
            loading.expiresAt = loading.readAt + options.ttlMs;
            return value;
          },
          (error: unknown) => {
            if (entry === loading) entry = undefined;
            throw error;
          },
        ),
        readAt: started,
        expiresAt: Number.POSITIVE_INFINITY,
      };
      entry = loading;
      return loading.value;
    },
    stale() {
      if (entry !== undefined && now() - entry.readAt < options.minRefreshMs) return false;
      entry = undefined;
      options.onDrop?.();
      return true;
    },
  };
}
