/**
 * Authenticates the state the launch gate carries from one invocation to the next. Whoever may invoke the function
 * can send it a continuation; only the gate holds the key that seals one, so passes a state claims count toward
 * CONTINUE only when the seal proves the gate itself recorded them.
 *
 * The key is an SSM SecureString only the launch gate's role may read (STATE_KEY_PARAMETER). It holds one secret
 * per line: the first seals, every line verifies, so a rotation is "write `new\nold`, later `new`" with no
 * continuation in flight refused (the later write once every container has read the first: SECRET_CACHE_SECONDS).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readSecretParameter, SECRET_MIN_REFRESH_MS, type SecretParameterReader } from '../aws/health-token';
import { createSecretCache } from '../aws/ttl-cache';

/** Shortest secret accepted, in characters: 32 random characters are well past guessing. */
export const MIN_STATE_KEY_LENGTH = 32;
/** Secrets one parameter may list (the sealing one and those still accepted during a rotation). */
export const MAX_STATE_KEYS = 4;

/** One secret, named by a fingerprint that tells which one sealed a state without revealing it. */
export interface StateKey {
  id: string;
  secret: string;
}

/** The keys of the gate: `seal` signs, every one of `accepted` (seal included) verifies. */
export interface StateKeys {
  seal: StateKey;
  accepted: readonly StateKey[];
}

/** Reads the gate's state keys; `undefined` when none is configured (then carried passes never count). */
export interface StateKeySource {
  (): Promise<StateKeys | undefined>;
  /**
   * A step's seal names a key this container does not know (the parameter may have been rotated since it was
   * read): read the keys again at the next use, unless they were read moments ago. Says whether they will be.
   */
  unknownKey?(): boolean;
}

/** A seal as carried beside the state. */
export interface Seal {
  /** The sealing key's fingerprint. */
  kid: string;
  /** HMAC-SHA256 of the canonical payload, base64url. */
  mac: string;
}

/** The state key parameter is missing, empty or holds a secret too short to trust. Never carries the value. */
export class StateKeyInvalidError extends Error {
  override readonly name = 'StateKeyInvalidError';
  constructor(
    readonly parameterName: string,
    why: string,
  ) {
    super(`state key parameter ${parameterName}: ${why}`);
  }
}

/**
 * Parses the parameter's value: one secret per line (blank lines ignored), each at least
 * {@link MIN_STATE_KEY_LENGTH} characters, at most {@link MAX_STATE_KEYS}.
 *
 * @throws {StateKeyInvalidError} naming the line that is wrong, never its content.
 */
export function parseStateKeys(parameterName: string, value: string | undefined): StateKeys {
  if (value === undefined) throw new StateKeyInvalidError(parameterName, 'does not exist');
  const lines = value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length === 0) throw new StateKeyInvalidError(parameterName, 'is empty');
  if (lines.length > MAX_STATE_KEYS) {
    throw new StateKeyInvalidError(parameterName, `lists ${lines.length} secrets, at most ${MAX_STATE_KEYS}`);
  }
  const keys = lines.map((secret, index) => {
    if (secret.length < MIN_STATE_KEY_LENGTH) {
      throw new StateKeyInvalidError(
        parameterName,
        `secret ${index + 1} has ${secret.length} characters, at least ${MIN_STATE_KEY_LENGTH} are needed`,
      );
    }
    return { id: fingerprint(secret), secret };
  });
  return { seal: keys[0]!, accepted: keys };
}

/**
 * The state keys from SSM (SecureString, decrypted), cached per container for `cacheSeconds` and read again as
 * soon as a step's seal names a key this container does not know ({@link StateKeySource.unknownKey}).
 *
 * @example
 * const keys = createStateKeySource({ ssm, parameterName: '/healthgate-gate/state-key', cacheSeconds: 60 });
 */
export function createStateKeySource(options: {
  ssm: SecretParameterReader;
  parameterName?: string;
  cacheSeconds: number;
  now?: () => number;
}): StateKeySource {
  const { parameterName, ssm } = options;
  if (parameterName === undefined) return async () => undefined;
  const cache = createSecretCache({
    load: async () => {
      const { value, readAt } = await readSecretParameter(ssm, parameterName);
      return { value: parseStateKeys(parameterName, value), ...(readAt !== undefined ? { readAt } : {}) };
    },
    ttlMs: options.cacheSeconds * 1000,
    minRefreshMs: SECRET_MIN_REFRESH_MS,
    onDrop: () => ssm.forget?.(parameterName),
    ...(options.now ? { now: options.now } : {}),
  });
  return Object.assign(() => cache.read(), { unknownKey: () => cache.stale() });
}

/** Seals `payload` (any JSON value) with `key`. */
export function seal(payload: unknown, key: StateKey): Seal {
  return { kid: key.id, mac: mac(payload, key.secret) };
}

/** The key among `keys` that `candidate` (a seal, or anything) names; undefined when it names none of them. */
export function sealingKey(candidate: unknown, keys: StateKeys): StateKey | undefined {
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const { kid } = candidate as Record<string, unknown>;
  return typeof kid === 'string' ? keys.accepted.find((k) => k.id === kid) : undefined;
}

/** Whether `candidate` is a seal of `payload` by one of `keys` (constant-time comparison). */
export function verifySeal(payload: unknown, candidate: unknown, keys: StateKeys): boolean {
  const key = sealingKey(candidate, keys);
  const given = key && (candidate as Record<string, unknown>).mac;
  if (!key || typeof given !== 'string') return false;
  const expected = Buffer.from(mac(payload, key.secret));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function mac(payload: unknown, secret: string): string {
  return createHmac('sha256', secret).update(canonicalJson(payload)).digest('base64url');
}

function fingerprint(secret: string): string {
  return createHash('sha256').update(`healthgate-state-key:${secret}`).digest('hex').slice(0, 16);
}

/**
 * JSON with object keys sorted at every level: the seal must not depend on the order a transport keeps keys in.
 * (JSON.stringify has no option for it, and the payload is small plain JSON.)
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, sortKeys(record[k])]),
  );
}
