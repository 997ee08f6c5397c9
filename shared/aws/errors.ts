/**
 * Typed errors of the AWS adapters. Each carries the service, the operation and the parameters that are safe to
 * log (never a lifecycle action token), and the SDK's error as `cause`.
 */

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

// The SDK's own classification (@smithy/core's retry submodule) is not a direct dependency: its lists, kept here.
const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);
const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Whether an AWS call failed in a way that waiting may heal: throttling, a 5xx or server fault, a timeout, a
 * dropped connection (the SDK's `$retryable`, `$fault` and error names, through `cause` chains). Such a failure
 * outlived the SDK's own retries, but a gate can still wait for its next round. Anything else (validation,
 * access denied, not found, an adapter's domain error, an abort) is not transient.
 *
 * @example
 * if (isTransientAwsError(error)) await sleep(intervalMs); else throw error;
 */
export function isTransientAwsError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth <= 5; depth++) {
    if (
      e instanceof InstanceNotFoundError ||
      e instanceof GroupNotFoundError ||
      e instanceof LoadBalancerNotFoundError ||
      e instanceof PolicyInvalidError
    ) {
      return false;
    }
    if (typeof e !== 'object') return false;
    const fields = e as {
      name?: unknown;
      code?: unknown;
      $retryable?: unknown;
      $fault?: unknown;
      $metadata?: { httpStatusCode?: unknown };
      cause?: unknown;
    };
    const name = typeof fields.name === 'string' ? fields.name : '';
    // Our own aborts (the invocation's budget) are deliberate, not a service failing.
    if (name === 'AbortError') return false;
    if (
      fields.$retryable !== undefined ||
      fields.$fault === 'server' ||
      THROTTLING_NAMES.has(name) ||
      TRANSIENT_NAMES.has(name) ||
      (typeof fields.code === 'string' && TRANSIENT_NETWORK_CODES.has(fields.code))
    ) {
      return true;
    }
    const status = fields.$metadata?.httpStatusCode;
    if (typeof status === 'number' && (status === 429 || status >= 500)) return true;
    e = fields.cause;
  }
  return false;
}
