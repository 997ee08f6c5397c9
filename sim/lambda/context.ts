/** The Lambda context an emulated invocation receives: identity of the call and a real, running deadline. */
import type { Context } from 'aws-lambda';

/** What one invocation's context is built from. */
export interface ContextInput {
  functionName: string;
  awsRequestId: string;
  region: string;
  accountId: string;
  memoryMb: number;
  /** Epoch ms (of `now`) at which the invocation times out. */
  deadlineAt: number;
  now: () => number;
}

/**
 * A Lambda-like context: `getRemainingTimeInMillis()` counts down to the invocation's real timeout, so code that
 * budgets against it (continuation, early hand-over) behaves as on Lambda.
 *
 * @example
 * const context = lambdaContext({ functionName: 'f', awsRequestId: id, region, accountId, memoryMb: 256,
 *   deadlineAt: Date.now() + 3000, now: Date.now });
 */
export function lambdaContext(input: ContextInput): Context {
  const gone = (what: string) => () => {
    throw new Error(`context.${what} is not supported: return or throw from the async handler`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: input.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(input.region, input.accountId, input.functionName),
    memoryLimitInMB: String(input.memoryMb),
    awsRequestId: input.awsRequestId,
    logGroupName: `/aws/lambda/${input.functionName}`,
    logStreamName: `${new Date(input.now()).toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${input.awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, input.deadlineAt - input.now()),
    done: gone('done'),
    fail: gone('fail'),
    succeed: gone('succeed'),
  };
}

/** `arn:aws:lambda:<region>:<account>:function:<name>`. */
export const functionArn = (region: string, accountId: string, name: string): string =>
  `arn:aws:lambda:${region}:${accountId}:function:${name}`;
