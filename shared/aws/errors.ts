/**
 * Typed errors of the AWS adapters. Each carries the service, the operation and the parameters that are safe to
 * log (never a lifecycle action token), and the SDK's error as `cause`.
 */
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

/** Where an AWS error happened; `params` holds only values that are safe to log. */
export interface AwsErrorContext {
  service: string;
  operation: string;
  params: Record<string, unknown>;
}

/** An AWS call failed in a way the adapter does not map to a domain answer. */
export class AwsCallError extends Error {
  override readonly name: string = 'AwsCallError';
  /** The SDK error's name (`ThrottlingException`, `ValidationError`, …), or `Unknown`. */
  readonly code: string;
  /** The HTTP status of the failed response, when there was one. */
  readonly httpStatus: number | undefined;

  constructor(
    readonly context: AwsErrorContext,
    options: { cause?: unknown; message?: string } = {},
  ) {
    const code = sdkErrorName(options.cause);
    super(
      options.message ??
        `${context.service}.${context.operation} failed: ${code}: ${sdkErrorMessage(options.cause)}`,
      { cause: options.cause },
    );
    this.code = code;
    this.httpStatus = sdkHttpStatus(options.cause);
  }
}

/** The EC2 instance does not exist (or no longer does). */
export class InstanceNotFoundError extends AwsCallError {
  override readonly name = 'InstanceNotFoundError';
  constructor(
    readonly instanceId: string,
    context: AwsErrorContext,
    options: { cause?: unknown } = {},
  ) {
    super(context, { ...options, message: `instance ${instanceId} not found` });
  }
}

/** The Auto Scaling group does not exist (or is being deleted and no longer listed). */
export class GroupNotFoundError extends AwsCallError {
  override readonly name = 'GroupNotFoundError';
  constructor(
    readonly groupName: string,
    context: AwsErrorContext,
    options: { cause?: unknown } = {},
  ) {
    super(context, { ...options, message: `auto scaling group ${groupName} not found` });
  }
}

/** The classic load balancer or the ELBv2 target group does not exist. */
export class LoadBalancerNotFoundError extends AwsCallError {
  override readonly name = 'LoadBalancerNotFoundError';
  constructor(
    readonly loadBalancer: string,
    context: AwsErrorContext,
    options: { cause?: unknown } = {},
  ) {
    super(context, { ...options, message: `load balancer or target group ${loadBalancer} not found` });
  }
}

/** Auto Scaling's instance refresh errors, by the query error code the service answers. */
export const InstanceRefreshErrorCode = {
  /** StartInstanceRefresh: the group already has an active instance refresh (or rollback). */
  inProgress: 'InstanceRefreshInProgress',
  /** Cancel or roll back: the group has no active instance refresh (or rollback) to act on. */
  notFound: 'ActiveInstanceRefreshNotFound',
  /** RollbackInstanceRefresh: no desired configuration, or the group launches `$Latest`/`$Default`. */
  irreversible: 'IrreversibleInstanceRefresh',
} as const;
export type InstanceRefreshErrorCode =
  (typeof InstanceRefreshErrorCode)[keyof typeof InstanceRefreshErrorCode];

/** An instance refresh call refused for the group's refresh state (`reason` says which of the documented cases). */
export class InstanceRefreshStateError extends AwsCallError {
  override readonly name = 'InstanceRefreshStateError';
  constructor(
    readonly reason: InstanceRefreshErrorCode,
    readonly groupName: string,
    context: AwsErrorContext,
    options: { cause?: unknown } = {},
  ) {
    super(context, {
      ...options,
      message: `${context.service}.${context.operation} on ${groupName}: ${reason}: ${sdkErrorMessage(options.cause)}`,
    });
  }
}

/** The instance refresh state error `error` carries, by its SDK error name (`…Fault` or the bare code). */
export function instanceRefreshErrorCode(error: unknown): InstanceRefreshErrorCode | undefined {
  const name = sdkErrorName(error).replace(/Fault$/, '');
  return Object.values(InstanceRefreshErrorCode).find((code) => code === name);
}

/** A policy parameter exists but is not valid JSON or does not pass the policy's own validation. */
export class PolicyInvalidError extends Error {
  override readonly name = 'PolicyInvalidError';
  constructor(
    message: string,
    readonly context: { parameterName: string; groupName: string },
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** The SDK error's `name` (its error code), or `Unknown`. */
export function sdkErrorName(error: unknown): string {
  if (error instanceof Error) {
    return error.name;
  }
  return 'Unknown';
}

/** The SDK error's message, or its string form. */
export function sdkErrorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

function sdkHttpStatus(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

/** Rethrows `error` as an {@link AwsCallError} with `context`, leaving an adapter's own typed errors as they are. */
export function toAwsError(context: AwsErrorContext, error: unknown): AwsCallError {
  if (error instanceof AwsCallError) {
    return error;
  }
  return new AwsCallError(context, { cause: error });
}

/** The SDK's error shape, as its classifiers take it. */
type SdkErrorLike = Parameters<typeof isThrottlingError>[0];

// Deep enough for an adapter's wrapper around an SDK error around a socket error; a longer chain is not ours.
const MAX_CAUSE_DEPTH = 5;

/**
 * Whether an AWS call failed in a way that waiting may heal, judged as the SDK's own retry layer judges it
 * (@smithy/core's classifiers: throttling, transient, server error; anything else is a client error). Such a
 * failure outlived the SDK's own retries, but a gate can still wait for its next round. Our wrappers
 * ({@link AwsCallError}, or any error with a `cause`) are looked through to the SDK error they carry; an
 * adapter's domain error (not found, invalid policy) and an abort of our own are never transient.
 *
 * @example
 * if (isTransientAwsError(error)) await sleep(intervalMs); else throw error;
 */
export function isTransientAwsError(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH; depth++) {
    if (
      e instanceof InstanceNotFoundError ||
      e instanceof GroupNotFoundError ||
      e instanceof LoadBalancerNotFoundError ||
      e instanceof InstanceRefreshStateError ||
      e instanceof PolicyInvalidError ||
      typeof e !== 'object' ||
      e === null
    ) {
      return false;
    }
    const { name, cause } = e as { name?: unknown; cause?: unknown };
    // Our own aborts (the invocation's budget) are deliberate, not a service failing; the SDK agrees.
    if (name === 'AbortError') return false;
    // The wrapper's own fields (`code` copies the SDK error's name) are ours, not the SDK's: judge its cause.
    if (!(e instanceof AwsCallError) && isRetryableSdkError(e as SdkErrorLike)) return true;
    e = cause;
  }
  return false;
}

/** The SDK retry layer's verdict: THROTTLING, TRANSIENT and SERVER_ERROR are retried, CLIENT_ERROR is not. */
function isRetryableSdkError(error: SdkErrorLike): boolean {
  return isThrottlingError(error) || isTransientError(error) || isServerError(error);
}
