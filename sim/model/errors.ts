/** Errors the control plane raises; the API layer renders them in each protocol's error shape. */

/** Who is at fault: `Sender` → HTTP 400, `Receiver` → HTTP 5xx. */
export type Fault = 'Sender' | 'Receiver';

/**
 * An AWS API error: `code` is the wire code the SDK maps to its exception class.
 *
 * @example
 * throw new SimError('ValidationError', 'AutoScalingGroup name not found - x');
 */
export class SimError extends Error {
  override readonly name = 'SimError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly fault: Fault = status >= 500 ? 'Receiver' : 'Sender',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
