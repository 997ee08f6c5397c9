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
import { createTtlCache } from './ttl-cache';

const SERVICE = 'ssm';

/** One parameter as read. */
export interface Parameter {
  name: string;
  /** Decrypted unless the read asked otherwise. */
  value: string;
  /** `String`, `StringList` or `SecureString`; absent when the answer does not say. */
  type?: string;
  version?: number;
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
   * GetParameters: up to 10 names in one call. Names that do not exist are absent from the map (AWS lists them in
   * InvalidParameters rather than failing the call).
   */
  getParameters(names: readonly string[], options?: { decrypt?: boolean }): Promise<Map<string, Parameter>>;
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
        return found;
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

/**
 * Reads `names` together: the first read of any of them fetches all in one GetParameters call, and each is then
 * served from that answer for `ttlMs` (per container, like every settings cache). Other names, reads that ask
 * not to decrypt, and names the answer does not hold go to `ssm` alone, as before. A failed read is not kept: the next one asks again.
 *
 * @example
 * const together = readParametersTogether(ssm, ['/hg/health-token', '/hg/state-key'], { ttlMs: 60_000 });
 */
export function readParametersTogether(
  ssm: Pick<SsmAdapter, 'getParameter' | 'getParameters'>,
  names: readonly string[],
  options: { ttlMs: number; now?: () => number },
): Pick<SsmAdapter, 'getParameter'> {
  const together = [...new Set(names)];
  // GetParameters takes at most 10 names; beyond that (never the case for the gate) each is read alone.
  if (together.length < 2 || together.length > 10) return ssm;
  const cache = createTtlCache<Map<string, Parameter>>({ ttlMs: options.ttlMs, now: options.now });
  return {
    async getParameter(name, readOptions = {}) {
      if (!together.includes(name) || readOptions.decrypt === false) {
        return ssm.getParameter(name, readOptions);
      }
      const found = await cache.get('together', () => ssm.getParameters(together, { decrypt: true }));
      // A name the answer does not echo as asked (an ARN, a version selector, or one that does not exist) is read
      // alone, exactly as before: the batch only ever saves calls, it never decides what a parameter holds.
      return found.get(name)?.value ?? ssm.getParameter(name, readOptions);
    },
  };
}
