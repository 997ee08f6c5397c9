/**
 * One Lambda event source mapping from an SQS queue to a function, run the way Lambda runs it: pollers long-poll
 * the queue, gather a batch (up to `BatchSize`, within `MaximumBatchingWindowInSeconds`), invoke the function
 * synchronously, and delete what succeeded: the whole batch, or all but the `batchItemFailures` a
 * `ReportBatchItemFailures` mapping is told about. A thrown error or a timeout deletes nothing: the messages
 * reappear after their visibility timeout. Scaling: five concurrent batches at first, up to 300 more per minute
 * while messages wait, never more than `ScalingConfig.MaximumConcurrency`; back to five when the queue is
 * quiet. A throttled invocation halves the mapping's concurrency and is retried with a growing wait until the
 * batch's visibility timeout would end (then the messages are left to reappear); function errors also scale it
 * down unless the mapping reports batch item failures.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue, ReceivedMessage } from '../model/queue';
import { md5OfAttributes } from '../model/sqs-message';
import { LambdaThrottleError } from './concurrency';
import type { LambdaFunctions } from './functions';
import { readBatchResponse, sqsRecords } from './sqs-event';

/** `FunctionResponseTypes` values. */
export const FunctionResponseType = { ReportBatchItemFailures: 'ReportBatchItemFailures' } as const;
export type FunctionResponseType = (typeof FunctionResponseType)[keyof typeof FunctionResponseType];

/** A mapping's settings, named as CreateEventSourceMapping names them. */
export interface EventSourceMappingConfig {
  EventSourceArn: string;
  FunctionName: string;
  /** 1–10,000 for a standard queue; default 10. Above 10 needs a batching window of at least 1 s. */
  BatchSize?: number;
  /** 0–300 s; default 0. */
  MaximumBatchingWindowInSeconds?: number;
  FunctionResponseTypes?: readonly FunctionResponseType[];
  /** `MaximumConcurrency`: 2–1,000 concurrent batches. */
  ScalingConfig?: { MaximumConcurrency?: number };
  /** Default true. */
  Enabled?: boolean;
}

/** How the sim's pollers scale; Lambda's documented numbers by default. */
export interface PollerTuning {
  /** Concurrent batches when messages first appear, and the floor when quiet; default 5. */
  baseConcurrency?: number;
  /** Concurrent batches added per second while messages wait and every poller is busy; default 5 (300/min). */
  scaleUpPerSecond?: number;
  /** Wait before retrying a throttled batch: the first, doubling up to the last; default 1 s to 16 s. */
  throttleRetryMs?: { initial: number; max: number };
  /** How often scaling is reconsidered, in real ms; default 1000. */
  scaleIntervalMs?: number;
}

/** How a batch ended. */
export const BatchOutcome = {
  /** Every message deleted. */
  deleted: 'deleted',
  /** The reported failures kept, the rest deleted. */
  partial: 'partial',
  /** Nothing deleted: the function failed, timed out, or its batch response was invalid. */
  failed: 'failed',
  /** Still throttled when its visibility timeout was about to end: nothing deleted. */
  throttled: 'throttled',
} as const;
export type BatchOutcome = (typeof BatchOutcome)[keyof typeof BatchOutcome];

/** One batch the mapping handed the function. */
export interface BatchRecord {
  time: number;
  uuid: string;
  messageIds: string[];
  outcome: BatchOutcome;
  /** The invocation that decided it (absent when every attempt was throttled). */
  requestId?: string;
  /** Throttled attempts before the outcome. */
  throttles: number;
  /** The message ids kept for redelivery. */
  kept: string[];
  why?: string;
}

/** What the mapping needs. */
export interface MappingDeps {
  uuid: string;
  queue: Queue;
  region: string;
  functionName: string;
  functions: LambdaFunctions;
  /** The queue's clock (the scheduler's), for visibility deadlines. */
  clock: () => number;
  tuning?: PollerTuning;
  onBatch?: (batch: BatchRecord) => void;
}

/** Lambda's most concurrent batches per mapping without a `MaximumConcurrency`. */
const MAX_BATCHES = 1000;
/** A batch's payload stays within the synchronous invocation limit (6 MB). */
const MAX_BATCH_BYTES = 6_291_456;
/** Pollers long-poll for up to 20 s. */
const LONG_POLL_SECONDS = 20;

/**
 * A running mapping; {@link EventSourceMappings} creates it after validating its configuration.
 *
 * @example
 * const mapping = new SqsEventSourceMapping(config, { uuid, queue, region, functionName, functions, clock });
 * mapping.start();
 * await mapping.stop();
 */
export class SqsEventSourceMapping {
  readonly batches: BatchRecord[] = [];
  readonly batchSize: number;
  readonly windowSeconds: number;
  readonly reportFailures: boolean;
  readonly maxConcurrency: number;
  lastModified: Date;
  private enabled: boolean;
  private target: number;
  private busy = 0;
  private throttledSince = false;
  private readonly slots = new Map<number, Promise<void>>();
  private abort = new AbortController();
  private ticker?: NodeJS.Timeout;
  private readonly tuning: Required<PollerTuning>;

  constructor(
    readonly config: EventSourceMappingConfig,
    private readonly deps: MappingDeps,
  ) {
    this.batchSize = config.BatchSize ?? 10;
    this.windowSeconds = config.MaximumBatchingWindowInSeconds ?? 0;
    this.reportFailures = (config.FunctionResponseTypes ?? []).includes(
      FunctionResponseType.ReportBatchItemFailures,
    );
    this.maxConcurrency = config.ScalingConfig?.MaximumConcurrency ?? MAX_BATCHES;
    this.enabled = config.Enabled ?? true;
    this.lastModified = new Date(deps.clock());
    this.tuning = {
      baseConcurrency: deps.tuning?.baseConcurrency ?? 5,
      scaleUpPerSecond: deps.tuning?.scaleUpPerSecond ?? 5,
      throttleRetryMs: deps.tuning?.throttleRetryMs ?? { initial: 1000, max: 16_000 },
      scaleIntervalMs: deps.tuning?.scaleIntervalMs ?? 1000,
    };
    this.target = this.base();
  }

  get uuid(): string {
    return this.deps.uuid;
  }

  get state(): 'Enabled' | 'Disabled' {
    return this.enabled ? 'Enabled' : 'Disabled';
  }

  /** Concurrent batches the mapping allows itself now. */
  get concurrency(): number {
    return this.target;
  }

  /** Pollers running now. */
  get pollers(): number {
    return this.slots.size;
  }

  /** Starts polling (when enabled). */
  start(): void {
    if (!this.enabled || this.ticker) return;
    this.abort = new AbortController();
    // Every poller listens for the stop while it long-polls or backs off: as many listeners as pollers, which
    // are many more than Node's default of ten before it warns of a leak.
    setMaxListeners(this.maxConcurrency + 1, this.abort.signal);
    this.ticker = setInterval(() => this.rescale(), this.tuning.scaleIntervalMs);
    this.ticker.unref();
    this.spawn();
  }

  /** UpdateEventSourceMapping's `Enabled`. */
  async setEnabled(enabled: boolean): Promise<void> {
    this.enabled = enabled;
    this.lastModified = new Date(this.deps.clock());
    if (enabled) this.start();
    else await this.stop();
  }

  /** Stops polling; waits for batches being processed to finish. Received messages not yet handed over reappear. */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.abort.abort();
    await Promise.allSettled([...this.slots.values()]);
  }

  private base(): number {
    return Math.min(this.tuning.baseConcurrency, this.maxConcurrency);
  }

  /** Starts a poller for every free slot under the target. */
  private spawn(): void {
    if (!this.ticker || this.deps.queue.isClosed) return;
    for (let slot = 0; slot < this.target; slot++) {
      if (this.slots.has(slot)) continue;
      const run = this.poll(slot).finally(() => this.slots.delete(slot));
      this.slots.set(slot, run);
    }
  }

  /** Adds pollers while messages wait and every poller is busy; shrinks back to the base when the queue is quiet. */
  private rescale(): void {
    const waiting = this.deps.queue.counts().visible;
    if (this.throttledSince) {
      this.throttledSince = false;
    } else if (waiting > 0 && this.busy >= this.target) {
      this.target = Math.min(this.maxConcurrency, this.target + this.tuning.scaleUpPerSecond);
    } else if (waiting === 0 && this.busy < this.target && this.target > this.base()) {
      this.target = Math.max(this.base(), this.target - this.tuning.scaleUpPerSecond);
    } else if (waiting > 0 && this.target < this.base()) {
      this.target += 1;
    }
    this.spawn();
  }

  private async poll(slot: number): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted && slot < this.target) {
      // A deleted queue has nothing more to give: its pollers stop rather than spin on empty receives.
      if (this.deps.queue.isClosed) return;
      const batch = await this.collect(signal);
      // Stopped while gathering: what was received reappears after its visibility timeout.
      if (batch.messages.length === 0 || signal.aborted) continue;
      this.busy++;
      try {
        await this.process(batch.messages, batch.visibleUntil, signal);
      } finally {
        this.busy--;
      }
    }
  }

  /** One batch: up to BatchSize messages, gathered for up to the batching window after the first arrives. */
  private async collect(signal: AbortSignal): Promise<{ messages: ReceivedMessage[]; visibleUntil: number }> {
    const { queue, clock } = this.deps;
    const visibility = queue.settings.visibilityTimeout * 1000;
    const messages = await queue.receive({
      max: Math.min(10, this.batchSize),
      waitSeconds: LONG_POLL_SECONDS,
      signal,
    });
    const visibleUntil = clock() + visibility;
    if (messages.length === 0 || this.windowSeconds === 0) return { messages, visibleUntil };
    const deadline = clock() + this.windowSeconds * 1000;
    let bytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.body), 0);
    while (messages.length < this.batchSize && bytes < MAX_BATCH_BYTES && !signal.aborted) {
      const left = deadline - clock();
      if (left <= 0) break;
      const more = await queue.receive({
        max: Math.min(10, this.batchSize - messages.length),
        waitSeconds: left / 1000,
        signal,
      });
      if (more.length === 0) break;
      messages.push(...more);
      bytes += more.reduce((sum, m) => sum + Buffer.byteLength(m.body), 0);
    }
    return { messages, visibleUntil };
  }

  private async process(
    messages: ReceivedMessage[],
    visibleUntil: number,
    signal: AbortSignal,
  ): Promise<void> {
    const { queue, functions, functionName, clock } = this.deps;
    const event = {
      Records: sqsRecords(messages, { arn: queue.arn, region: this.deps.region }, md5OfAttributes),
    };
    const ids = new Set(messages.map((m) => m.messageId));
    let throttles = 0;
    const record = (outcome: BatchOutcome, kept: string[], extra: Partial<BatchRecord> = {}) => {
      const batch: BatchRecord = {
        time: clock(),
        uuid: this.uuid,
        messageIds: messages.map((m) => m.messageId),
        outcome,
        throttles,
        kept,
        ...extra,
      };
      this.batches.push(batch);
      this.deps.onBatch?.(batch);
    };
    for (;;) {
      try {
        const out = await functions.invoke(functionName, event, { source: this.uuid });
        if (out.functionError) {
          // Without partial batch responses, Lambda backs off on function errors too.
          if (!this.reportFailures) this.target = Math.max(1, this.target - 1);
          record(BatchOutcome.failed, [...ids], { requestId: out.requestId, why: 'function error' });
          return;
        }
        const verdict = this.reportFailures
          ? readBatchResponse(JSON.parse(out.payload) as unknown, ids)
          : ({ kind: 'complete' } as const);
        if (verdict.kind === 'failed') {
          record(BatchOutcome.failed, [...ids], { requestId: out.requestId, why: verdict.why });
          return;
        }
        const failed = verdict.kind === 'partial' ? verdict.failed : new Set<string>();
        for (const m of messages) if (!failed.has(m.messageId)) queue.delete(m.receiptHandle);
        record(failed.size > 0 ? BatchOutcome.partial : BatchOutcome.deleted, [...failed], {
          requestId: out.requestId,
        });
        return;
      } catch (error) {
        if (!(error instanceof LambdaThrottleError)) {
          record(BatchOutcome.failed, [...ids], { why: (error as Error).message });
          return;
        }
        this.throttledSince = true;
        this.target = Math.max(1, Math.floor(this.target / 2));
        const { initial, max } = this.tuning.throttleRetryMs;
        const delay = Math.min(max, initial * 2 ** throttles++);
        if (clock() + delay >= visibleUntil || signal.aborted) {
          record(BatchOutcome.throttled, [...ids], { why: error.reason });
          return;
        }
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) {
          record(BatchOutcome.throttled, [...ids], { why: 'the mapping stopped' });
          return;
        }
      }
    }
  }
}
