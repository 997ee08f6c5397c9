/**
 * The one way errors are described in logs and details: a caught value may be anything, and its message must
 * read the same wherever it is told.
 */

/** The error's message, or the thrown value's string form. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The error's name (`ThrottlingException`, `AbortError`, …), or `Error` for a thrown non-error. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/** Log fields for an error: name, message and its direct cause (no stack: logs are for operators). */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const cause = error.cause instanceof Error ? { cause: `${error.cause.name}: ${error.cause.message}` } : {};
  return { name: error.name, message: error.message, ...cause };
}
