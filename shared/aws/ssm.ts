import {
  GetParameterCommand,
  GetParametersByPathCommand,
  SSMClient,
  type SSMClientConfig,
} from '@aws-sdk/client-ssm';
import { DEFAULT_CLIENT_CONFIG } from './client-config';
import { type AwsErrorContext, sdkErrorName, toAwsError } from './errors';

const SERVICE = 'ssm';

/** One parameter read by path. */
export interface Parameter {
  name: string;
  value: string;
  version?: number;
}

/** The SSM Parameter Store calls healthgate makes. */
export interface SsmAdapter {
  /** GetParameter; `undefined` when the parameter does not exist. `decrypt` for SecureString values. */
  getParameter(name: string, options?: { decrypt?: boolean }): Promise<string | undefined>;
  /** GetParametersByPath, following NextToken. */
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

  return {
    async getParameter(name, options = {}) {
      const input = { Name: name, WithDecryption: options.decrypt ?? false };
      try {
        const out = await client.send(new GetParameterCommand(input));
        return out.Parameter?.Value;
      } catch (error) {
        if (sdkErrorName(error) === 'ParameterNotFound') {
          return undefined;
        }
        throw toAwsError(context('GetParameter', input), error);
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
              WithDecryption: options.decrypt ?? false,
              NextToken: nextToken,
            }),
          );
          for (const p of out.Parameters ?? []) {
            if (p.Name !== undefined && p.Value !== undefined) {
              result.push(
                p.Version === undefined
                  ? { name: p.Name, value: p.Value }
                  : { name: p.Name, value: p.Value, version: p.Version },
              );
            }
          }
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
