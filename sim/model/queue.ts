/**
 * One standard SQS queue: its messages and their states. A message is delayed until its delivery delay ends,
 * visible until a receive takes it, then in flight (invisible) for the visibility timeout, after which it is
 * visible again with its receive count kept; a receipt handle names one receive, and only the latest one deletes.
 * A receive that would take a message past its redrive policy's `maxReceiveCount` moves it to the dead-letter
 * queue instead. Messages older than the retention period are gone. With duplicates on, a received message may
 * leave a copy behind that is delivered again later, even after the original was deleted (SQS's at-least-once
 * delivery). Times are the scheduler's, in real seconds (never scaled: producers compute delays from their own
 * clocks).
 */
import type { Random } from './ids';
import type { Cancel, Scheduler } from './scheduler';
import { invalidParameter, SqsError } from './sqs-errors';
import { type MessageAttributes, md5Hex, md5OfAttributes } from './sqs-message';

/** A queue's settings, as its attributes set them. */
export interface QueueSettings {
  delaySeconds: number;
  maximumMessageSize: number;
  messageRetentionPeriod: number;
  receiveMessageWaitTimeSeconds: number;
  visibilityTimeout: number;
  redrivePolicy?: RedrivePolicy;
  /** Attributes kept verbatim and answered back (Policy, RedriveAllowPolicy, KMS settings). */
  stored: Record<string, string>;
}

/** Where messages go after too many receives. */
export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** When a received message is delivered a second time. */
export interface QueueDuplicates {
  /** Share of receives that leave a copy behind, in [0, 1]. */
  rate: number;
  /** Real ms after the receive at which the copy becomes visible; default 0. */
  delayMs?: number;
}

/** What a sender hands over. */
export interface OutgoingMessage {
  body: string;
  attributes?: MessageAttributes;
  delaySeconds?: number;
  traceHeader?: string;
}

/** One message as a receive returns it. */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  attributes?: MessageAttributes;
  /** SQS's system attributes, values as strings (epoch ms for times). */
  system: {
    SenderId: string;
    SentTimestamp: string;
    ApproximateReceiveCount: string;
    ApproximateFirstReceiveTimestamp: string;
    DeadLetterQueueSourceArn?: string;
    AWSTraceHeader?: string;
  };
}

interface Stored {
  /** Unique per stored copy (a duplicate is a second copy of one message id). */
  seq: number;
  messageId: string;
  body: string;
  md5OfBody: string;
  attributes?: MessageAttributes;
  md5OfAttributes?: string;
  traceHeader?: string;
  sentAt: number;
  senderId: string;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  receivedAt?: number;
  /** The nonce of the latest receive's handle. */
  receipt?: string;
  deadLetterSourceArn?: string;
}

/** Visibility timeouts run from 0 to 12 hours, and a message stays in flight at most 12 hours after a receive. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/** What a queue needs from its surroundings. */
export interface QueueDeps {
  scheduler: Scheduler;
  random: Random;
  messageId: () => string;
  senderId: string;
  /** The queue a dead-letter ARN names, if it exists. */
  deadLetterQueue: (arn: string) => Queue | undefined;
  /** Read at each receive, so a change applies to queues that exist already. */
  duplicates: () => QueueDuplicates | undefined;
}

/** Counts GetQueueAttributes answers. */
export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

/**
 * A queue. The registry ({@link Queues}) creates it and validates attributes; this class keeps the messages.
 *
 * @example
 * const sent = queue.send({ body: '{"step":1}', delaySeconds: 5 });
 * const [message] = await queue.receive({ max: 1, waitSeconds: 20 });
 * queue.delete(message.receiptHandle);
 */
export class Queue {
  readonly createdAt: number;
  lastModifiedAt: number;
  private readonly messages = new Map<number, Stored>();
  private seq = 0;
  private readonly waiters = new Set<() => void>();
  private readonly timers = new Set<Cancel>();
  private purgedAt?: number;
  private closed = false;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly url: string,
    public settings: QueueSettings,
    private readonly deps: QueueDeps,
  ) {
    this.createdAt = deps.scheduler.now();
    this.lastModifiedAt = this.createdAt;
  }

  /** Stores a message; it is delivered no earlier than its delay (or the queue's) from now. */
  send(message: OutgoingMessage): { messageId: string; md5OfBody: string; md5OfAttributes?: string } {
    const now = this.now();
    const delay = message.delaySeconds ?? this.settings.delaySeconds;
    const stored: Stored = {
      seq: ++this.seq,
      messageId: this.deps.messageId(),
      body: message.body,
      md5OfBody: md5Hex(message.body),
      ...(message.attributes && Object.keys(message.attributes).length > 0
        ? { attributes: message.attributes, md5OfAttributes: md5OfAttributes(message.attributes) }
        : {}),
      ...(message.traceHeader ? { traceHeader: message.traceHeader } : {}),
      sentAt: now,
      senderId: this.deps.senderId,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
    };
    this.messages.set(stored.seq, stored);
    this.changed();
    return {
      messageId: stored.messageId,
      md5OfBody: stored.md5OfBody,
      ...(stored.md5OfAttributes ? { md5OfAttributes: stored.md5OfAttributes } : {}),
    };
  }

  /**
   * Takes up to `max` visible messages, waiting up to `waitSeconds` (long polling) for the first one. Resolves
   * early with nothing when `signal` aborts or the queue is closed or deleted.
   */
  async receive(request: {
    max: number;
    visibilityTimeout?: number;
    waitSeconds?: number;
    signal?: AbortSignal;
  }): Promise<ReceivedMessage[]> {
    const deadline = this.now() + (request.waitSeconds ?? this.settings.receiveMessageWaitTimeSeconds) * 1000;
    for (;;) {
      const taken = this.take(request.max, request.visibilityTimeout ?? this.settings.visibilityTimeout);
      if (taken.length > 0 || this.now() >= deadline || request.signal?.aborted || this.closed) return taken;
      await this.waitForChange(deadline, request.signal);
    }
  }

  /**
   * Deletes the message a receipt handle names, if that handle is its latest receive. A handle of a message
   * already gone, or one received again since, succeeds without deleting anything, as SQS documents.
   */
  delete(receiptHandle: string): void {
    const stored = this.byHandle(receiptHandle);
    if (stored && stored.receipt === parseHandle(receiptHandle)?.nonce) this.messages.delete(stored.seq);
  }

  /** Makes an in-flight message visible again `seconds` from now (0: at once). */
  changeVisibility(receiptHandle: string, seconds: number): void {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) {
      throw invalidParameter(
        'VisibilityTimeout',
        seconds,
        `Must be between 0 and ${MAX_VISIBILITY_SECONDS}, if provided.`,
      );
    }
    const stored = this.byHandle(receiptHandle);
    if (!stored || stored.receipt !== parseHandle(receiptHandle)?.nonce) {
      throw invalidParameter(
        'ReceiptHandle',
        receiptHandle,
        'Message does not exist or is not available for visibility timeout change.',
      );
    }
    const now = this.now();
    if (stored.visibleAt <= now)
      throw new SqsError('MessageNotInflight', 'The specified message is not in flight.');
    if ((now - (stored.receivedAt ?? now)) / 1000 + seconds > MAX_VISIBILITY_SECONDS) {
      throw invalidParameter(
        'VisibilityTimeout',
        seconds,
        `Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_SECONDS} seconds]`,
      );
    }
    stored.visibleAt = now + seconds * 1000;
    this.changed();
  }

  /** Deletes every message; another purge within 60 s is refused (`PurgeQueueInProgress`). */
  purge(): void {
    const now = this.now();
    if (this.purgedAt !== undefined && now - this.purgedAt < 60_000) {
      throw new SqsError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${this.name} is allowed every 60 seconds.`,
      );
    }
    this.purgedAt = now;
    this.messages.clear();
  }

  /** Visible, in-flight and delayed messages now (GetQueueAttributes' approximate counts, exact here). */
  counts(): QueueCounts {
    this.expire();
    const now = this.now();
    const counts = { visible: 0, inFlight: 0, delayed: 0 };
    for (const m of this.messages.values()) {
      if (m.visibleAt <= now) counts.visible++;
      else if (m.receiveCount > 0) counts.inFlight++;
      else counts.delayed++;
    }
    return counts;
  }

  /** Whether the queue was deleted (or the sim closed): receives then answer at once, empty. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Stops waiting receives and timers (queue deleted or sim closing). */
  close(): void {
    this.closed = true;
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    this.changed();
  }

  /** Takes a message another queue's redrive moved here, keeping its id, body and original send time. */
  private adopt(from: Stored, sourceArn: string): void {
    const moved: Stored = {
      ...from,
      seq: ++this.seq,
      visibleAt: this.now(),
      receiveCount: 0,
      deadLetterSourceArn: sourceArn,
    };
    delete moved.firstReceiveAt;
    delete moved.receivedAt;
    delete moved.receipt;
    this.messages.set(moved.seq, moved);
    this.changed();
  }

  private take(max: number, visibilityTimeout: number): ReceivedMessage[] {
    this.expire();
    const now = this.now();
    const taken: ReceivedMessage[] = [];
    const redrive = this.settings.redrivePolicy;
    for (const stored of [...this.messages.values()]) {
      if (taken.length >= max) break;
      if (stored.visibleAt > now) continue;
      if (redrive && stored.receiveCount >= redrive.maxReceiveCount) {
        // The receive count would exceed maxReceiveCount: SQS moves the message instead of delivering it.
        const target = this.deps.deadLetterQueue(redrive.deadLetterTargetArn);
        if (target) {
          this.messages.delete(stored.seq);
          target.adopt(stored, this.arn);
          continue;
        }
      }
      stored.receiveCount += 1;
      stored.firstReceiveAt ??= now;
      stored.receivedAt = now;
      stored.receipt = this.nonce();
      stored.visibleAt = now + visibilityTimeout * 1000;
      this.changed();
      taken.push(this.view(stored));
      this.maybeDuplicate(stored, now);
    }
    return taken;
  }

  private maybeDuplicate(stored: Stored, now: number): void {
    const dup = this.deps.duplicates();
    if (!dup || dup.rate <= 0 || this.deps.random() >= dup.rate) return;
    const copy: Stored = { ...stored, seq: ++this.seq, visibleAt: now + (dup.delayMs ?? 0) };
    delete copy.receipt;
    this.messages.set(copy.seq, copy);
    this.changed();
  }

  private view(stored: Stored): ReceivedMessage {
    return {
      messageId: stored.messageId,
      receiptHandle: formatHandle(this.arn, stored.seq, stored.receipt!),
      body: stored.body,
      md5OfBody: stored.md5OfBody,
      ...(stored.attributes ? { attributes: stored.attributes } : {}),
      system: {
        SenderId: stored.senderId,
        SentTimestamp: String(stored.sentAt),
        ApproximateReceiveCount: String(stored.receiveCount),
        ApproximateFirstReceiveTimestamp: String(stored.firstReceiveAt ?? stored.receivedAt),
        ...(stored.deadLetterSourceArn ? { DeadLetterQueueSourceArn: stored.deadLetterSourceArn } : {}),
        ...(stored.traceHeader ? { AWSTraceHeader: stored.traceHeader } : {}),
      },
    };
  }

  private byHandle(receiptHandle: string): Stored | undefined {
    const parsed = parseHandle(receiptHandle);
    if (!parsed || parsed.queueArn !== this.arn) {
      throw new SqsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      );
    }
    return this.messages.get(parsed.seq);
  }

  /** Drops messages past the retention period (counted from the original send, also after a redrive). */
  private expire(): void {
    const cutoff = this.now() - this.settings.messageRetentionPeriod * 1000;
    for (const [seq, m] of this.messages) if (m.sentAt <= cutoff) this.messages.delete(seq);
  }

  /** Waits until the deadline, the next time a message becomes visible, or a change (send, visibility). */
  private waitForChange(deadline: number, signal: AbortSignal | undefined): Promise<void> {
    const now = this.now();
    let wakeAt = deadline;
    for (const m of this.messages.values())
      if (m.visibleAt > now && m.visibleAt < wakeAt) wakeAt = m.visibleAt;
    return new Promise((resolve) => {
      const done = () => {
        cancel();
        this.timers.delete(cancel);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const cancel = this.deps.scheduler.schedule(wakeAt - now, done);
      this.timers.add(cancel);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Wakes waiting receives to look again (a message was stored or its visibility changed). */
  private changed(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private nonce(): string {
    return Math.floor(this.deps.random() * 2 ** 48)
      .toString(36)
      .padStart(10, '0');
  }

  private now(): number {
    return this.deps.scheduler.now();
  }
}

/** A receipt handle: opaque to callers (base64), naming the queue, the stored copy and the receive. */
function formatHandle(queueArn: string, seq: number, nonce: string): string {
  return Buffer.from(`${queueArn} ${seq} ${nonce}`, 'utf8').toString('base64');
}

function parseHandle(handle: string): { queueArn: string; seq: number; nonce: string } | undefined {
  if (!/^[A-Za-z0-9+/]+=*$/.test(handle)) return undefined;
  const [queueArn, seq, nonce, ...rest] = Buffer.from(handle, 'base64').toString('utf8').split(' ');
  if (!queueArn?.startsWith('arn:') || !seq || !nonce || rest.length > 0 || !/^\d+$/.test(seq))
    return undefined;
  return { queueArn, seq: Number(seq), nonce };
}
