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
