/** Milliseconds a client waits for a TCP (and TLS) connection to an AWS endpoint before the attempt fails. */
export const CONNECTION_TIMEOUT_MS = 3_000;
/**
 * Milliseconds one request may take from sending to the last byte of the answer. AWS control-plane calls answer
 * in well under a second; a hung endpoint fails the attempt here (a `TimeoutError`, which the SDK retries)
 * instead of holding the gate until Lambda's own timeout.
 */
export const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Configuration every default client shares. Endpoints are never set here: the SDK reads `AWS_ENDPOINT_URL`
 * (and `AWS_ENDPOINT_URL_<SERVICE>`) itself, which is how the local control plane is reached.
 */
export const DEFAULT_CLIENT_CONFIG = {
  /** Adaptive adds client-side rate limiting on throttling: many gates may call Auto Scaling at once. */
  retryMode: 'adaptive',
  /** Bounded: a gate invocation has a deadline, and it probes again on its next tick anyway. */
  maxAttempts: 4,
  /**
   * The SDK's own NodeHttpHandler, built from its options (the config shorthand, so no direct dependency on
   * `@smithy/node-http-handler`). Without `throwOnRequestTimeout` a passed `requestTimeout` only logs a warning.
   */
  requestHandler: {
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  },
} as const;
