/** An API operation: the SDK's schema (for the wire codec) and a handler over SDK-shaped input and output. */
import type { OperationSchema } from './query-codec';

export interface Operation {
  schema: OperationSchema;
  handle(input: never): unknown;
}

/** Binds a handler to its operation schema (typed by the SDK's input/output types). */
export const operation = <I, O>(schema: unknown, handle: (input: I) => O | Promise<O>): Operation => ({
  schema: schema as OperationSchema,
  handle: handle as (input: never) => unknown,
});

/** Strips milliseconds: AWS timestamps in events and messages are second-precision. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A JSON-protocol operation (SSM, SQS): plain JSON in, plain JSON out (timestamps as epoch seconds). `signal` aborts when the caller goes
 * away, so a long poll ends with its request.
 */
export type JsonOperation = (input: unknown, context: { signal: AbortSignal }) => unknown;
