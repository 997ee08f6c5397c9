import { InvokeCommand, LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { DEFAULT_CLIENT_CONFIG } from './client-config';

/** Continues a gate in a new invocation with all its state. */
export interface HandOver<S> {
  /** Resolves once the new invocation is queued; rejects when it could not be (the caller fails closed). */
  handOver(state: S): Promise<void>;
}

/** A hand-over that could not be queued. */
export class HandOverError extends Error {
  override readonly name = 'HandOverError';
  constructor(
    message: string,
    readonly context: { functionName: string; statusCode?: number },
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/**
 * The production hand-over: an asynchronous invocation (`InvocationType: 'Event'`) of this same function with the
 * carried state as its payload. Lambda queues it and answers 202; the new invocation gets a fresh timeout.
 *
 * @example
 * const handOver = lambdaHandOver(new LambdaClient({}), context.functionName);
 * await handOver.handOver(state);
 */
export function lambdaHandOver<S>(client: LambdaClient, functionName: string): HandOver<S> {
  return {
    async handOver(state) {
      let statusCode: number | undefined;
      try {
        const out = await client.send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(JSON.stringify(state)),
          }),
        );
        statusCode = out.StatusCode;
      } catch (error) {
        throw new HandOverError(
          `could not invoke ${functionName} to continue`,
          { functionName },
          { cause: error },
        );
      }
      if (statusCode !== 202) {
        throw new HandOverError(`invoking ${functionName} to continue answered ${statusCode}`, {
          functionName,
          ...(statusCode !== undefined ? { statusCode } : {}),
        });
      }
    },
  };
}

/**
 * A Lambda client with healthgate's client defaults (endpoint from the SDK's env, like every other client).
 * `overrides` is for tests and tuning; never pass an endpoint in production.
 */
export function createLambdaClient(overrides: LambdaClientConfig = {}): LambdaClient {
  return new LambdaClient({ ...DEFAULT_CLIENT_CONFIG, ...overrides });
}
