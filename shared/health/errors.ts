/** A health library misconfiguration (bad CIDR, bad check declaration): raised at setup, never per request. */
export class HealthConfigError extends Error {
  // Widened so that a more precise configuration error (InvalidCidrError) can name itself.
  override readonly name: string = 'HealthConfigError';
  constructor(
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The reason a check's AbortSignal fires when the check overruns its `timeoutMs`. */
export class HealthCheckTimeoutError extends Error {
  override readonly name = 'HealthCheckTimeoutError';
  constructor(
    readonly check: string,
    readonly timeoutMs: number,
  ) {
    super(`timed out after ${timeoutMs} ms`);
  }
}
