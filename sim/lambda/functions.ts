/**
 * Lambda functions of the sim: in-process handlers registered by name, invoked the way Lambda invokes them.
 * Each invocation gets a Lambda-like context whose deadline is real and enforced (an invocation outliving it is
 * reported timed out, as Lambda reports `Task timed out`); asynchronous invocations are queued, answered at once,
 * and retried on error like Lambda's (`MaximumRetryAttempts`, default 2). Concurrency is limited per account and
 * per function (reserved concurrency): a synchronous invocation past the limit is refused (429), an asynchronous
 * one is kept and retried with a growing wait, without using up its retries, until it is older than its maximum
 * event age.
 */
import { EventEmitter } from 'node:events';
import type { Context } from 'aws-lambda';
import { SimError } from '../model/errors';
import {
  Concurrency,
  type ConcurrencyLease,
  type ConcurrencySample,
  LambdaThrottleError,
  type ThrottleReason,
} from './concurrency';
import { functionArn, lambdaContext } from './context';
import { captureLogs } from './function-logs';

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
  /**
   * Reserved concurrency (`ReservedConcurrentExecutions`): at most this many run at once, and the account's
   * other functions cannot use them. 0 throttles every invocation. Default none (the account's shared pool).
   */
  reservedConcurrency?: number;
  /**
   * How long an asynchronous invocation is kept for retries (`MaximumEventAgeInSeconds`), in real ms; default 6
   * hours. Lambda accepts 60 s to 6 h; any value is taken here, so a test need not wait a minute.
   */
  maxEventAgeMs?: number;
  /**
   * Real waits between retries of a throttled asynchronous invocation: the first, doubling up to the last.
   * Default 1 s to 5 min, as Lambda documents.
   */
  throttleRetryMs?: { initial: number; max: number };
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
  /** Real ms spent making a new execution environment for this attempt (Lambda's init phase), if one was made. */
  initMs?: number;
  /** What invoked it when not the Invoke API: an event source mapping's UUID. */
  source?: string;
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
  /** What the handler wrote to stdout and stderr during this invocation (its log stream), line by line. */
  logs?: string[];
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

/** An invocation Lambda refused for want of concurrency (it never ran). */
export interface ThrottleRecord {
  time: number;
  functionName: string;
  type: InvocationType;
  reason: ThrottleReason;
  /** The asynchronous invocation's request id (a sync call's throttle has none that ran). */
  requestId?: string;
  source?: string;
  event: unknown;
}

/** An asynchronous invocation Lambda gave up on: older than its maximum event age while still throttled or failing. */
export interface ExpiredRecord {
  time: number;
  functionName: string;
  requestId: string;
  attempts: number;
  event: unknown;
}

/** Invocation events, for timelines. */
export type InvocationEvent =
  | { kind: 'invocation-start'; time: number; record: InvocationRecord }
  | { kind: 'invocation-end'; time: number; record: InvocationRecord }
  | { kind: 'invocation-throttled'; time: number; record: ThrottleRecord }
  | { kind: 'invocation-expired'; time: number; record: ExpiredRecord };

/** What a run of a function cost and how it scaled, for benchmarks. */
export interface FunctionStats {
  /** Attempts that ran (each is one billed invocation). */
  invocations: number;
  throttles: number;
  /** Asynchronous invocations dropped at their maximum event age. */
  expired: number;
  /** Executions running now. */
  concurrent: number;
  peakConcurrency: number;
  /** Execution environments made (cold starts). */
  containers: number;
  /** Each ended attempt's duration in real ms (handler start to end, init excluded), in start order. */
  durationsMs: number[];
  /** Sum of the attempts' durations rounded up to the ms, as Lambda bills them (init excluded). */
  billedMs: number;
  /** Sum of init phases, in ms. */
  initMs: number;
}

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
  options: Required<Omit<FunctionOptions, 'reservedConcurrency'>>;
}

export interface LambdaFunctionsOptions {
  region: string;
  accountId: string;
  /** Request ids (uuid v4). */
  requestId: () => string;
  /** Defaults for every function (a reserved concurrency is per function, never a default). */
  defaults?: Omit<FunctionOptions, 'reservedConcurrency'>;
  /** The account's concurrency limit; default 1000, Lambda's default quota. */
  accountConcurrency?: number;
  /**
   * Keep each invocation's stdout and stderr with it (`record.logs`), as Lambda sends them to CloudWatch Logs;
   * `echo` also lets them through to this process's output. Default: not captured.
   */
  logs?: { echo: boolean };
  /** Smallest unreserved pool reservations may leave; default 100, as Lambda enforces. */
  minimumUnreservedConcurrency?: number;
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
  /** Every attempt that ran, in start order. */
  readonly invocations: InvocationRecord[] = [];
  /** Every invocation refused for want of concurrency, in order. */
  readonly throttles: ThrottleRecord[] = [];
  /** Asynchronous invocations dropped at their maximum event age. */
  readonly expired: ExpiredRecord[] = [];
  readonly events = new EventEmitter<{ invocation: [InvocationEvent] }>();
  /** The account's and functions' concurrency limits and their use over time. */
  readonly concurrency: Concurrency;
  private readonly registered = new Map<string, Registered>();
  private readonly inflight = new Set<Promise<void>>();
  /** Ends the wait before a retry (on close). */
  private readonly cancelWaits = new Set<() => void>();
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly o: LambdaFunctionsOptions) {
    this.now = o.now ?? Date.now;
    this.concurrency = new Concurrency({
      accountLimit: o.accountConcurrency,
      minimumUnreserved: o.minimumUnreservedConcurrency,
      now: this.now,
    });
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
    // Validated before anything changes: a refused reservation leaves the function as it was.
    this.concurrency.reserve(name, options.reservedConcurrency);
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
        maxEventAgeMs: options.maxEventAgeMs ?? d.maxEventAgeMs ?? 6 * 3600_000,
        throttleRetryMs: options.throttleRetryMs ?? d.throttleRetryMs ?? { initial: 1000, max: 300_000 },
      },
    });
  }

  unregister(name: string): void {
    this.registered.delete(name);
    this.concurrency.reserve(name, undefined);
  }

  /** A registered function's settings (GetFunctionConfiguration's `Timeout`, `MemorySize`, concurrency). */
  configuration(nameOrArn: string): {
    name: string;
    timeoutMs: number;
    memoryMb: number;
    reservedConcurrency?: number;
  } {
    const fn = this.registered.get(this.resolve(nameOrArn))!;
    const reserved = this.concurrency.reservation(fn.name);
    return {
      name: fn.name,
      timeoutMs: fn.options.timeoutMs,
      memoryMb: fn.options.memoryMb,
      ...(reserved !== undefined ? { reservedConcurrency: reserved } : {}),
    };
  }

  /** PutFunctionConcurrency (a number) or DeleteFunctionConcurrency (`undefined`) on a registered function. */
  setReservedConcurrency(nameOrArn: string, reserved: number | undefined): void {
    this.concurrency.reserve(this.resolve(nameOrArn), reserved);
  }

  /** Counters of one function (or of all), for benchmarks: invocations, throttles, concurrency, billed time. */
  stats(nameOrArn?: string): FunctionStats {
    const name = nameOrArn === undefined ? undefined : this.resolve(nameOrArn);
    const mine = <T extends { functionName: string }>(list: readonly T[]) =>
      name === undefined ? list : list.filter((r) => r.functionName === name);
    const runs = mine(this.invocations);
    const durationsMs = runs.filter((r) => r.endedAt !== undefined).map((r) => r.endedAt! - r.startedAt);
    return {
      invocations: runs.length,
      throttles: mine(this.throttles).length,
      expired: mine(this.expired).length,
      concurrent: this.concurrency.current(name),
      peakConcurrency: this.concurrency.peak(name),
      containers:
        name === undefined
          ? [...this.registered.values()].reduce((sum, fn) => sum + fn.created, 0)
          : (this.registered.get(name)?.created ?? 0),
      durationsMs,
      billedMs: durationsMs.reduce((sum, ms) => sum + Math.max(1, Math.ceil(ms)), 0),
      initMs: runs.reduce((sum, r) => sum + (r.initMs ?? 0), 0),
    };
  }

  /** Concurrency after each change (of one function, or all), in order. */
  concurrencySamples(nameOrArn?: string): ConcurrencySample[] {
    const name = nameOrArn === undefined ? undefined : this.resolve(nameOrArn);
    return this.concurrency.samples.filter((s) => name === undefined || s.functionName === name);
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

  /**
   * Runs the function and answers as Lambda's `RequestResponse` does (a function error is still HTTP 200).
   * Throws {@link LambdaThrottleError} (429) when its concurrency limit is reached; nothing runs then.
   */
  async invoke(
    nameOrArn: string,
    event: unknown,
    options: { source?: string } = {},
  ): Promise<SyncInvocationResult> {
    const fn = this.registered.get(this.resolve(nameOrArn))!;
    const requestId = this.o.requestId();
    const run = this.attempt(
      fn,
      InvocationType.RequestResponse,
      requestId,
      1,
      roundTrip(event),
      options.source,
    );
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
   * invocation is retried after `retryDelaysMs`, at most `maxRetryAttempts` times. A throttled attempt does not
   * count: it is retried after a wait growing from `throttleRetryMs.initial` to `.max`, until the event is older
   * than `maxEventAgeMs`, and then dropped (recorded in {@link expired}).
   */
  invokeAsync(nameOrArn: string, event: unknown): { requestId: string } {
    if (this.closed) throw new SimError('ServiceException', 'The sim is shutting down.', 500);
    const fn = this.registered.get(this.resolve(nameOrArn))!;
    const requestId = this.o.requestId();
    const payload = roundTrip(event);
    const queuedAt = this.now();
    const chain = async () => {
      // Lambda answers 202 before the function runs.
      await new Promise<void>((resolve) => setImmediate(resolve));
      let throttled = 0;
      for (let attempt = 1; ; ) {
        if (this.closed) return;
        let delayMs: number;
        try {
          const record = await this.attempt(fn, InvocationType.Event, requestId, attempt, payload);
          if (record.outcome === InvocationOutcome.success || attempt > fn.options.maxRetryAttempts) return;
          delayMs = fn.options.retryDelaysMs[attempt - 1] ?? fn.options.retryDelaysMs.at(-1) ?? 0;
          attempt++;
          throttled = 0;
        } catch (error) {
          if (!(error instanceof LambdaThrottleError)) throw error;
          const { initial, max } = fn.options.throttleRetryMs;
          delayMs = Math.min(max, initial * 2 ** throttled++);
        }
        if (this.now() + delayMs - queuedAt > fn.options.maxEventAgeMs) {
          const expired: ExpiredRecord = {
            time: this.now(),
            functionName: fn.name,
            requestId,
            attempts: attempt,
            event: payload,
          };
          this.expired.push(expired);
          this.events.emit('invocation', { kind: 'invocation-expired', time: expired.time, record: expired });
          return;
        }
        await this.wait(delayMs);
      }
    };
    this.track(chain());
    return { requestId };
  }

  /** Waits real ms; ends early when the functions close. */
  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = () => {
        clearTimeout(timer);
        this.cancelWaits.delete(cancel);
        resolve();
      };
      const timer = setTimeout(cancel, ms);
      this.cancelWaits.add(cancel);
    });
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

  /** Runs one attempt, or throws {@link LambdaThrottleError} (recorded) when no concurrency is free. */
  private async attempt(
    fn: Registered,
    type: InvocationType,
    requestId: string,
    attempt: number,
    event: unknown,
    source?: string,
  ): Promise<InvocationRecord> {
    let lease: ConcurrencyLease;
    try {
      lease = this.concurrency.acquire(fn.name);
    } catch (error) {
      if (error instanceof LambdaThrottleError)
        this.recordThrottle(fn, type, error, event, requestId, source);
      throw error;
    }
    try {
      return await this.run(fn, type, requestId, attempt, event, source, lease);
    } finally {
      lease.release();
    }
  }

  private recordThrottle(
    fn: Registered,
    type: InvocationType,
    error: LambdaThrottleError,
    event: unknown,
    requestId: string,
    source: string | undefined,
  ): void {
    const record: ThrottleRecord = {
      time: this.now(),
      functionName: fn.name,
      type,
      reason: error.reason,
      ...(type === InvocationType.Event ? { requestId } : {}),
      ...(source ? { source } : {}),
      event,
    };
    this.throttles.push(record);
    this.events.emit('invocation', { kind: 'invocation-throttled', time: record.time, record });
  }

  private async run(
    fn: Registered,
    type: InvocationType,
    requestId: string,
    attempt: number,
    event: unknown,
    source: string | undefined,
    lease: ConcurrencyLease,
  ): Promise<InvocationRecord> {
    let container = fn.idle.pop();
    let initError: unknown;
    let initMs: number | undefined;
    if (!container) {
      const index = fn.created++;
      const initStart = this.now();
      try {
        container = { index, handler: await fn.factory(index) };
      } catch (error) {
        initError = error;
      }
      initMs = this.now() - initStart;
    }
    const startedAt = this.now();
    const deadlineAt = startedAt + fn.options.timeoutMs;
    const record: InvocationRecord = {
      requestId,
      functionName: fn.name,
      type,
      attempt,
      ...(container ? { container: container.index } : {}),
      ...(initMs !== undefined ? { initMs } : {}),
      ...(source ? { source } : {}),
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
    const invoke = () =>
      Promise.resolve().then(() => {
        if (!handler) throw initFailure(initError);
        return handler(event, context);
      });
    let running: Promise<unknown>;
    if (this.o.logs) {
      const stream = { lines: [] as string[], echo: this.o.logs.echo };
      record.logs = stream.lines;
      running = captureLogs(stream, invoke);
    } else {
      running = invoke();
    }
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
      // Lambda frees the execution at the timeout, even if an in-process handler keeps running.
      lease.release();
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
