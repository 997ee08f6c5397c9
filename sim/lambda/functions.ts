/**
 * Lambda functions of the sim: in-process handlers registered by name, invoked the way Lambda invokes them.
 * Each invocation gets a Lambda-like context whose deadline is real and enforced (an invocation outliving it is
 * reported timed out, as Lambda reports `Task timed out`); asynchronous invocations are queued, answered at once,
 * and retried on error like Lambda's (`MaximumRetryAttempts`, default 2).
 */
import { EventEmitter } from 'node:events';
import type { Context } from 'aws-lambda';
import { SimError } from '../model/errors';
import { functionArn, lambdaContext } from './context';

/** A handler as `functions/` export them: `(event, context) => Promise<result>`. */
// biome-ignore lint/suspicious/noExplicitAny: handlers declare their own event types, as on Lambda.
export type LambdaHandler = (event: any, context: Context) => unknown;

/** How a function runs. */
export interface FunctionOptions {
  /** The invocation's real time limit in ms (Lambda's `Timeout`); default 30 000. */
  timeoutMs?: number;
  memoryMb?: number;
  /** Retries of a failed asynchronous invocation, 0–2 (Lambda's `MaximumRetryAttempts`); default 2. */
  maxRetryAttempts?: number;
  /** Real delay before the n-th retry; default [1000, 2000] (Lambda waits about one, then two minutes). */
  retryDelaysMs?: readonly number[];
}

/** How a function was invoked (`X-Amz-Invocation-Type`). */
export const InvocationType = { RequestResponse: 'RequestResponse', Event: 'Event' } as const;
export type InvocationType = (typeof InvocationType)[keyof typeof InvocationType];

/** How one attempt ended. */
export const InvocationOutcome = { success: 'success', error: 'error', timeout: 'timeout' } as const;
export type InvocationOutcome = (typeof InvocationOutcome)[keyof typeof InvocationOutcome];

/** Lambda's error payload (`X-Amz-Function-Error: Unhandled`). */
export interface FunctionErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** One attempt of one invocation. Retries of an asynchronous invocation keep its request id, as Lambda's do. */
export interface InvocationRecord {
  requestId: string;
  functionName: string;
  type: InvocationType;
  /** 1 for the first attempt, 2 and 3 for retries. */
  attempt: number;
  /** The execution environment that ran it (0, 1, … in creation order). */
  container?: number;
  event: unknown;
  startedAt: number;
  endedAt?: number;
  outcome?: InvocationOutcome;
  result?: unknown;
  error?: FunctionErrorPayload;
  /**
   * Set when a timed-out handler's promise settled afterwards. Lambda freezes the sandbox at the timeout; an
   * in-process handler cannot be stopped, so its late work is recorded here for tests to see.
   */
  lateSettledAt?: number;
}

/** The answer to a synchronous invocation. */
export interface SyncInvocationResult {
  requestId: string;
  statusCode: 200;
  /** `Unhandled` when the function threw or timed out. */
  functionError?: 'Unhandled';
  /** The result (or the error payload), JSON-encoded as Lambda returns it. */
  payload: string;
}

/** Invocation events, for timelines. */
export type InvocationEvent =
  | { kind: 'invocation-start'; time: number; record: InvocationRecord }
  | { kind: 'invocation-end'; time: number; record: InvocationRecord };

/**
 * Makes the handler of one execution environment (Lambda's "container"): called for the first invocation and
 * again whenever every existing one is busy. Returning a fresh module instance per call gives each concurrent
 * invocation its own module-scope state (clients, caches, logger), as Lambda does; returning the same handler
 * shares it.
 */
export type ContainerFactory = (index: number) => LambdaHandler | Promise<LambdaHandler>;

interface Container {
  index: number;
  handler: LambdaHandler;
}

interface Registered {
  name: string;
  factory: ContainerFactory;
  idle: Container[];
  created: number;
  options: Required<FunctionOptions>;
}

export interface LambdaFunctionsOptions {
  region: string;
  accountId: string;
  /** Request ids (uuid v4). */
  requestId: () => string;
  /** Defaults for every function. */
  defaults?: FunctionOptions;
  now?: () => number;
}

/** Lambda's async payload limit (1 MB since 2025) and the synchronous one (6 MB). */
export const PAYLOAD_LIMITS = { Event: 1_048_576, RequestResponse: 6_291_456 } as const;

const FUNCTION_NAME =
  /^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?([A-Za-z0-9_-]{1,140})(?::(\$LATEST|[A-Za-z0-9_-]+))?$/;

/**
 * The registry and the invoker.
 *
 * @example
 * const functions = new LambdaFunctions({ region: 'us-east-1', accountId: '123456789012', requestId: randomUUID });
 * functions.register('healthgate-launch-gate', handler, { timeoutMs: 5000 });
 * functions.invokeAsync('healthgate-launch-gate', event);
 * await functions.settle();
 */
export class LambdaFunctions {
  /** Every attempt, in start order. */
  readonly invocations: InvocationRecord[] = [];
  readonly events = new EventEmitter<{ invocation: [InvocationEvent] }>();
  private readonly registered = new Map<string, Registered>();
  private readonly inflight = new Set<Promise<void>>();
  /** Ends the wait before a retry (on close). */
  private readonly cancelWaits = new Set<() => void>();
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly o: LambdaFunctionsOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Registers (or replaces) a function whose every container runs the same handler. */
  register(name: string, handler: LambdaHandler, options: FunctionOptions = {}): void {
    this.registerContainers(name, () => handler, options);
  }

  /**
   * Registers (or replaces) a function whose containers `factory` makes: a container runs one invocation at a
   * time; a new one is made (outside the invocation's timeout, like Lambda's init phase) when all are busy.
   * `first` is container 0 when it was made already.
   */
  registerContainers(
    name: string,
    factory: ContainerFactory,
    options: FunctionOptions = {},
    first?: LambdaHandler,
  ): void {
    if (!FUNCTION_NAME.test(name) || name.includes(':')) {
      throw new SimError('InvalidParameterValueException', `Invalid function name: ${name}`);
    }
    const d = this.o.defaults ?? {};
    const maxRetryAttempts = options.maxRetryAttempts ?? d.maxRetryAttempts ?? 2;
    if (!Number.isInteger(maxRetryAttempts) || maxRetryAttempts < 0 || maxRetryAttempts > 2) {
      throw new SimError('InvalidParameterValueException', 'MaximumRetryAttempts must be between 0 and 2');
    }
    this.registered.set(name, {
      name,
      factory,
      idle: first ? [{ index: 0, handler: first }] : [],
      created: first ? 1 : 0,
      options: {
        timeoutMs: options.timeoutMs ?? d.timeoutMs ?? 30_000,
        memoryMb: options.memoryMb ?? d.memoryMb ?? 256,
        maxRetryAttempts,
        retryDelaysMs: options.retryDelaysMs ?? d.retryDelaysMs ?? [1000, 2000],
      },
    });
  }

  unregister(name: string): void {
    this.registered.delete(name);
  }

  names(): string[] {
    return [...this.registered.keys()];
  }

  /** The registered function a name, partial ARN or ARN (optionally qualified) designates; throws 404 otherwise. */
  resolve(nameOrArn: string): string {
    const m = FUNCTION_NAME.exec(nameOrArn);
    const name = m?.[1];
    if (!name || !this.registered.has(name) || (m?.[2] !== undefined && m[2] !== '$LATEST')) {
      throw new SimError(
        'ResourceNotFoundException',
        `Function not found: ${functionArn(this.o.region, this.o.accountId, name ?? nameOrArn)}${m?.[2] ? `:${m[2]}` : ''}`,
        404,
      );
    }
    return name;
  }

  /** Runs the function and answers as Lambda's `RequestResponse` does (a function error is still HTTP 200). */
  async invoke(nameOrArn: string, event: unknown): Promise<SyncInvocationResult> {
    const fn = this.registered.get(this.resolve(nameOrArn))!;
    const requestId = this.o.requestId();
    const run = this.attempt(fn, InvocationType.RequestResponse, requestId, 1, roundTrip(event));
    const tracked = run.then(() => undefined);
    this.track(tracked);
    const record = await run;
    if (record.outcome === InvocationOutcome.success) {
      return { requestId, statusCode: 200, payload: JSON.stringify(record.result ?? null) };
    }
    return { requestId, statusCode: 200, functionError: 'Unhandled', payload: JSON.stringify(record.error) };
  }

  /**
   * Queues an asynchronous invocation (`Event`) and returns its request id at once; on error or timeout the
   * invocation is retried after `retryDelaysMs`, at most `maxRetryAttempts` times.
   */
  invokeAsync(nameOrArn: string, event: unknown): { requestId: string } {
    if (this.closed) throw new SimError('ServiceException', 'The sim is shutting down.', 500);
    const fn = this.registered.get(this.resolve(nameOrArn))!;
    const requestId = this.o.requestId();
    const payload = roundTrip(event);
    const chain = async () => {
      // Lambda answers 202 before the function runs.
      await new Promise<void>((resolve) => setImmediate(resolve));
      for (let attempt = 1; ; attempt++) {
        if (this.closed) return;
        const record = await this.attempt(fn, InvocationType.Event, requestId, attempt, payload);
        if (record.outcome === InvocationOutcome.success || attempt > fn.options.maxRetryAttempts) return;
        const delayMs = fn.options.retryDelaysMs[attempt - 1] ?? fn.options.retryDelaysMs.at(-1) ?? 0;
        await new Promise<void>((resolve) => {
          const cancel = () => {
            clearTimeout(timer);
            this.cancelWaits.delete(cancel);
            resolve();
          };
          const timer = setTimeout(cancel, delayMs);
          this.cancelWaits.add(cancel);
        });
      }
    };
    this.track(chain());
    return { requestId };
  }

  /** Resolves once no invocation is running or waiting for a retry. */
  async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Accepts no new asynchronous invocation, drops pending retries, and waits for running ones. */
  async close(): Promise<void> {
    this.closed = true;
    for (const cancel of [...this.cancelWaits]) cancel();
    await this.settle();
  }

  private track(work: Promise<void>): void {
    const p = work.catch(() => undefined).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private async attempt(
    fn: Registered,
    type: InvocationType,
    requestId: string,
    attempt: number,
    event: unknown,
  ): Promise<InvocationRecord> {
    let container = fn.idle.pop();
    let initError: unknown;
    if (!container) {
      const index = fn.created++;
      try {
        container = { index, handler: await fn.factory(index) };
      } catch (error) {
        initError = error;
      }
    }
    const startedAt = this.now();
    const deadlineAt = startedAt + fn.options.timeoutMs;
    const record: InvocationRecord = {
      requestId,
      functionName: fn.name,
      type,
      attempt,
      ...(container ? { container: container.index } : {}),
      event,
      startedAt,
    };
    this.invocations.push(record);
    this.events.emit('invocation', { kind: 'invocation-start', time: startedAt, record });
    const context = lambdaContext({
      functionName: fn.name,
      awsRequestId: requestId,
      region: this.o.region,
      accountId: this.o.accountId,
      memoryMb: fn.options.memoryMb,
      deadlineAt,
      now: this.now,
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), fn.options.timeoutMs);
    });
    const handler = container?.handler;
    const running = Promise.resolve().then(() => {
      if (!handler) throw initFailure(initError);
      return handler(event, context);
    });
    try {
      const first = await Promise.race([
        running.then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
        timedOut,
      ]);
      if (first === 'timeout') {
        record.outcome = InvocationOutcome.timeout;
        record.error = {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(fn.options.timeoutMs / 1000).toFixed(2)} seconds`,
        };
        running.then(
          () => this.markLate(record),
          () => this.markLate(record),
        );
      } else if (first.ok) {
        record.outcome = InvocationOutcome.success;
        record.result = roundTrip(first.value);
      } else {
        record.outcome = InvocationOutcome.error;
        record.error = errorPayload(first.error);
      }
    } finally {
      clearTimeout(timer);
    }
    // A container that timed out is reset by Lambda; here its handler may still be running, so it is dropped.
    if (container && record.outcome !== InvocationOutcome.timeout) fn.idle.push(container);
    record.endedAt = this.now();
    this.events.emit('invocation', { kind: 'invocation-end', time: record.endedAt, record });
    return record;
  }

  private markLate(record: InvocationRecord): void {
    record.lateSettledAt = this.now();
  }
}

/** A container that could not be made: Lambda reports the init failure as the invocation's error. */
function initFailure(cause: unknown): Error {
  const error = new Error(`init failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
    cause,
  });
  error.name = 'Runtime.InitError';
  return error;
}

/** What Lambda's runtime reports for a thrown value. */
export function errorPayload(error: unknown): FunctionErrorPayload {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n').slice(0, 10),
    };
  }
  return { errorType: 'string', errorMessage: String(error) };
}

/** Events and results cross a JSON boundary on Lambda: no shared references, no `undefined`, no class instances. */
function roundTrip(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}
