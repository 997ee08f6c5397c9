/**
 * Configuration every default client shares. Endpoints are never set here: the SDK reads `AWS_ENDPOINT_URL`
 * (and `AWS_ENDPOINT_URL_<SERVICE>`) itself, which is how the local control plane is reached.
 */
export const DEFAULT_CLIENT_CONFIG = {
  /** Adaptive adds client-side rate limiting on throttling: many gates may call Auto Scaling at once. */
  retryMode: 'adaptive',
  /** Bounded: a gate invocation has a deadline, and it probes again on its next tick anyway. */
  maxAttempts: 4,
} as const;
