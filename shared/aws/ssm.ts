import {
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  SSMClient,
  type SSMClientConfig,
} from '@aws-sdk/client-ssm';
import { DEFAULT_CLIENT_CONFIG } from './client-config';
import { compact } from './compact';
import { type AwsErrorContext, sdkErrorName, toAwsError } from './errors';

const SERVICE = 'ssm';

/** One parameter as read. */
export interface Parameter {
  name: string;
  /** Decrypted unless the read asked otherwise. */
  value: string;
  /** `String`, `StringList` or `SecureString`; absent when the answer does not say. */
  type?: string;
  version?: number;
  /** Epoch ms at which SSM answered, when the value comes from an answer shared with other reads. */
  readAt?: number;
}

/** One GetParameters answer: the parameters found, by name, and the names AWS listed as InvalidParameters. */
export interface ParametersRead {
  found: Map<string, Parameter>;
  missing: Set<string>;
}

/**
 * The SSM Parameter Store calls healthgate makes. Every read decrypts by default: a SecureString read without
 * decryption answers its ciphertext, and WithDecryption is ignored for String and StringList, so decrypting costs
 * nothing where no secret is stored (it needs `kms:Decrypt` only where one is).
 */
export interface SsmAdapter {
  /** GetParameter's value; `undefined` when the parameter does not exist. */
  getParameter(name: string, options?: { decrypt?: boolean }): Promise<string | undefined>;
  /** GetParameter with the parameter's type and version, for messages that must say what was read. */
  getParameterEntry(name: string, options?: { decrypt?: boolean }): Promise<Parameter | undefined>;
  /**
   * GetParameters: up to 10 names in one call. AWS does not fail the call for names that do not exist: it lists
   * them in InvalidParameters, here `missing`.
   */
  getParameters(names: readonly string[], options?: { decrypt?: boolean }): Promise<ParametersRead>;
  /** GetParametersByPath, following NextToken to the last page. */
  getParametersByPath(
    path: string,
    options?: { decrypt?: boolean; recursive?: boolean },
  ): Promise<Parameter[]>;
}

/**
 * A client with healthgate's defaults: adaptive retries, bounded attempts, endpoint from the SDK's env.
 * `overrides` is for tests (a request handler) and tuning; never pass an endpoint.
 */
export function createSsmClient(overrides: SSMClientConfig = {}): SSMClient {
  return new SSMClient({ ...DEFAULT_CLIENT_CONFIG, ...overrides });
}

/** The SSM adapter. */
export function createSsmAdapter(client: SSMClient = createSsmClient()): SsmAdapter {
  const context = (operation: string, params: Record<string, unknown>): AwsErrorContext => ({
    service: SERVICE,
    operation,
    params,
  });

  const getParameterEntry: SsmAdapter['getParameterEntry'] = async (name, options = {}) => {
    const input = { Name: name, WithDecryption: options.decrypt ?? true };
    try {
      const out = await client.send(new GetParameterCommand(input));
      const p = out.Parameter;
      return p?.Value === undefined ? undefined : toParameter(name, p.Value, p);
    } catch (error) {
      if (sdkErrorName(error) === 'ParameterNotFound') {
        return undefined;
      }
      throw toAwsError(context('GetParameter', input), error);
    }
  };

  return {
    getParameterEntry,

    async getParameter(name, options = {}) {
      return (await getParameterEntry(name, options))?.value;
    },

    async getParameters(names, options = {}) {
      const input = { Names: [...names], WithDecryption: options.decrypt ?? true };
      try {
        const out = await client.send(new GetParametersCommand(input));
        const found = new Map<string, Parameter>();
        for (const p of out.Parameters ?? []) {
          if (p.Name !== undefined && p.Value !== undefined) {
            found.set(p.Name, toParameter(p.Name, p.Value, p));
          }
        }
        return { found, missing: new Set(out.InvalidParameters ?? []) };
      } catch (error) {
        throw toAwsError(context('GetParameters', input), error);
      }
    },

    async getParametersByPath(path, options = {}) {
      const result: Parameter[] = [];
      let nextToken: string | undefined;
      try {
        do {
          const out = await client.send(
            new GetParametersByPathCommand({
              Path: path,
              Recursive: options.recursive ?? false,
              WithDecryption: options.decrypt ?? true,
              NextToken: nextToken,
            }),
          );
          for (const p of out.Parameters ?? []) {
            if (p.Name !== undefined && p.Value !== undefined) {
              result.push(toParameter(p.Name, p.Value, p));
            }
          }
          // A page may hold fewer than MaxResults, even none, and still name a next one.
          nextToken = out.NextToken;
        } while (nextToken);
      } catch (error) {
        throw toAwsError(
          context('GetParametersByPath', { Path: path, Recursive: options.recursive ?? false }),
          error,
        );
      }
      return result;
    },
  };
}

function toParameter(name: string, value: string, p: { Type?: string; Version?: number }): Parameter {
  return compact({ name, value, type: p.Type, version: p.Version });
}

/** GetParameters takes at most 10 names ("Array Members: Minimum number of 1 item. Maximum number of 10 items."). */
const MAX_NAMES_PER_CALL = 10;

/**
 * Reads `names` together: the first read after a cold start (or after `ttlMs`) fetches all of them in one
 * GetParameters call, with the parameter it was asked for when that is another one (the group's policy), and each
 * of `names` is then served from that answer for `ttlMs` (per container, like every settings cache). Reads that ask
 * not to decrypt, other names while the answer is fresh, and names the answer neither holds nor lists as missing go
 * to `ssm` alone, as before; so does any read whose batch failed (its error is then the one call's, as without the
 * batch). A failed batch is not kept: the next read asks again; nor is one a reader calls stale (`forget`).
 *
 * @example
 * const ssm = readParametersTogether(createSsmAdapter(), ['/hg/health-token', '/hg/state-key'], { ttlMs: 60_000 });
 */
export function readParametersTogether(
  ssm: Pick<SsmAdapter, 'getParameterEntry' | 'getParameters'>,
  names: readonly string[],
  options: { ttlMs: number; now?: () => number },
): Pick<SsmAdapter, 'getParameter' | 'getParameterEntry'> & {
  /** Drops the shared answer when it holds `name`: the next read of any of `names` asks SSM again. */
  forget(name: string): void;
} {
  const together = [...new Set(names)];
  const now = options.now ?? Date.now;
  let shared: { expiresAt: number; answer: Promise<ParametersRead> } | undefined;

  const fetch = (extra?: string): Promise<ParametersRead> => {
    const askedAt = now();
    // Each value carries when it was asked for: a cache of one of them counts its age from there.
    const answer = ssm
      .getParameters(extra === undefined ? together : [extra, ...together], { decrypt: true })
      .then(({ found, missing }) => ({
        found: new Map([...found].map(([name, p]) => [name, { ...p, readAt: askedAt }])),
        missing,
      }));
    const entry = { expiresAt: askedAt + options.ttlMs, answer };
    shared = entry;
    answer.catch(() => {
      if (shared === entry) shared = undefined;
    });
    return answer;
  };

  const getParameterEntry: SsmAdapter['getParameterEntry'] = async (name, readOptions = {}) => {
    const fresh = shared !== undefined && now() < shared.expiresAt ? shared.answer : undefined;
    const member = together.includes(name);
    const alone =
      readOptions.decrypt === false ||
      together.length === 0 ||
      together.length + (member ? 0 : 1) > MAX_NAMES_PER_CALL ||
      (!member && fresh !== undefined);
    if (alone) return ssm.getParameterEntry(name, readOptions);
    let read: ParametersRead;
    try {
      read = await (fresh ?? fetch(member ? undefined : name));
    } catch {
      // Read alone, so that an error names the one parameter and call it is about, exactly as without the batch.
      return ssm.getParameterEntry(name, readOptions);
    }
    const { found, missing } = read;
    // A name the answer does not echo as asked (an ARN, a version selector) is read alone: the batch only ever
    // saves calls, it never decides what a parameter holds.
    const entry = found.get(name);
    if (entry !== undefined) return entry;
    return missing.has(name) ? undefined : ssm.getParameterEntry(name, readOptions);
  };

  return {
    getParameterEntry,
    async getParameter(name, readOptions) {
      return (await getParameterEntry(name, readOptions))?.value;
    },
    forget(name) {
      if (together.includes(name)) shared = undefined;
    },
  };
}
