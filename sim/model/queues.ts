/**
 * The SQS queues of the control plane: creating, finding (by URL, name or ARN), configuring and deleting
 * standard queues, with the attribute ranges and redrive-policy rules SQS enforces. Queue URLs live on the sim's
 * own endpoint (`<endpoint>/<account>/<name>`), so an SDK that routes by the queue URL stays on loopback.
 */
import type { IdGenerator, Random } from './ids';
import {
  MAX_VISIBILITY_SECONDS,
  Queue,
  type QueueDuplicates,
  type QueueSettings,
  type RedrivePolicy,
} from './queue';
import type { Scheduler } from './scheduler';
import { invalidParameter, noSuchQueue, SqsError } from './sqs-errors';

/** Each settable attribute's range, as CreateQueue documents it. */
const RANGES = {
  DelaySeconds: { min: 0, max: 900, default: 0 },
  MaximumMessageSize: { min: 1024, max: 1_048_576, default: 1_048_576 },
  MessageRetentionPeriod: { min: 60, max: 1_209_600, default: 345_600 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20, default: 0 },
  VisibilityTimeout: { min: 0, max: MAX_VISIBILITY_SECONDS, default: 30 },
} as const;
type RangedAttribute = keyof typeof RANGES;

/** Attributes accepted and answered back as given; nothing in the sim acts on them. */
const STORED = [
  'Policy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
];
/** FIFO attributes: the sim emulates standard queues only. */
const FIFO = ['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'];

/** Read-only attributes GetQueueAttributes answers. */
export const READ_ONLY_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

/** "A queue name can have up to 80 characters … alphanumeric characters, hyphens (-), and underscores (_)". */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** A deleted queue's name is refused for 60 s ("wait at least 60 seconds before creating a queue with the same name"). */
const RECREATE_AFTER_MS = 60_000;

export interface QueuesOptions {
  scheduler: Scheduler;
  ids: IdGenerator;
  /** Randomness for receipt handles and duplicate decisions (seed it for reproducible runs). */
  random: Random;
  region: string;
  accountId: string;
  /** Every queue's duplicate deliveries (at-least-once); default none. */
  duplicates?: QueueDuplicates;
}

/**
 * The queues.
 *
 * @example
 * const dlq = queues.create('steps-dlq');
 * const steps = queues.create('steps', {
 *   VisibilityTimeout: '300',
 *   RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
 * });
 */
export class Queues {
  private readonly queues = new Map<string, Queue>();
  private readonly deletedAt = new Map<string, number>();
  /** The base of queue URLs: the sim's endpoint once it listens. */
  endpoint = 'http://127.0.0.1';
  private duplicates: QueueDuplicates | undefined;

  constructor(private readonly o: QueuesOptions) {
    this.duplicates = o.duplicates;
  }

  /**
   * CreateQueue: a new queue, or the existing one when every given attribute matches it (`QueueNameExists`
   * otherwise, as SQS answers a create with different attributes).
   */
  create(name: string, attributes: Record<string, string> = {}): Queue {
    if (!QUEUE_NAME.test(name)) {
      if (name.endsWith('.fifo')) throw fifoUnsupported();
      throw new SqsError(
        'InvalidParameterValue',
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    const existing = this.queues.get(name);
    if (existing) {
      const wanted = this.parse(attributes, defaultSettings(), existing.arn);
      for (const key of Object.keys(attributes)) {
        if (renderSetting(wanted, key) !== renderSetting(existing.settings, key)) {
          throw new SqsError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${key}`,
          );
        }
      }
      return existing;
    }
    const deleted = this.deletedAt.get(name);
    if (deleted !== undefined && this.o.scheduler.now() - deleted < RECREATE_AFTER_MS) {
      throw new SqsError(
        'QueueDeletedRecently',
        'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
      );
    }
    const arn = `arn:aws:sqs:${this.o.region}:${this.o.accountId}:${name}`;
    const settings = this.parse(attributes, defaultSettings(), arn);
    const queue = new Queue(name, arn, `${this.endpoint}/${this.o.accountId}/${name}`, settings, {
      scheduler: this.o.scheduler,
      random: this.o.random,
      messageId: () => this.o.ids.uuid(),
      senderId: this.o.accountId,
      deadLetterQueue: (target) => this.findByArn(target),
      duplicates: () => this.duplicates,
    });
    this.queues.set(name, queue);
    return queue;
  }

  /** SetQueueAttributes: validates every attribute, then applies them together. */
  setAttributes(queue: Queue, attributes: Record<string, string>): void {
    queue.settings = this.parse(attributes, queue.settings, queue.arn);
    queue.lastModifiedAt = this.o.scheduler.now();
  }

  /** The queue a URL names (any host: the SDK may send the URL it was given); `QueueDoesNotExist` otherwise. */
  byUrl(url: string | undefined): Queue {
    if (!url) throw new SqsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
    const match = /\/(\d{12})\/([^/?#]+)\/?$/.exec(url);
    const queue = match?.[1] === this.o.accountId ? this.queues.get(match[2]!) : undefined;
    if (!queue) throw noSuchQueue();
    return queue;
  }

  byName(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw noSuchQueue();
    return queue;
  }

  findByArn(arn: string): Queue | undefined {
    const queue = this.queues.get(arn.split(':').at(-1) ?? '');
    return queue?.arn === arn ? queue : undefined;
  }

  list(prefix = ''): Queue[] {
    return [...this.queues.values()].filter((q) => q.name.startsWith(prefix));
  }

  /** DeleteQueue: the queue and its messages are gone; its name is refused for 60 s. */
  delete(queue: Queue): void {
    queue.close();
    this.queues.delete(queue.name);
    this.deletedAt.set(queue.name, this.o.scheduler.now());
  }

  /** Sets (or, with `undefined`, clears) duplicate deliveries for every queue, now and later. */
  setDuplicates(duplicates: QueueDuplicates | undefined): void {
    this.duplicates = duplicates;
  }

  /** Ends every waiting receive. */
  stop(): void {
    for (const queue of this.queues.values()) queue.close();
  }

  /** Validates attributes over `base`: names, ranges, redrive policy. Throws SQS's errors. */
  private parse(attributes: Record<string, string>, base: QueueSettings, selfArn?: string): QueueSettings {
    const next: QueueSettings = { ...base, stored: { ...base.stored } };
    for (const [key, raw] of Object.entries(attributes)) {
      const value = String(raw);
      if (key in RANGES) {
        const range = RANGES[key as RangedAttribute];
        const n = Number(value);
        if (value.trim() === '' || !Number.isInteger(n) || n < range.min || n > range.max) {
          throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${key}.`);
        }
        next[settingKey(key as RangedAttribute)] = n;
      } else if (key === 'RedrivePolicy') {
        if (value === '') delete next.redrivePolicy;
        else next.redrivePolicy = this.parseRedrive(value, selfArn);
      } else if (STORED.includes(key)) {
        next.stored[key] = value;
      } else if (FIFO.includes(key)) {
        throw fifoUnsupported();
      } else {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${key}.`);
      }
    }
    return next;
  }

  private parseRedrive(value: string, selfArn: string | undefined): RedrivePolicy {
    const bad = (reason: string) => invalidParameter('RedrivePolicy', value, reason);
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw bad('Redrive policy is not a valid JSON map.');
    }
    const { deadLetterTargetArn, maxReceiveCount, ...rest } = (parsed ?? {}) as Record<string, unknown>;
    if (Object.keys(rest).length > 0) throw bad(`Unknown attribute ${Object.keys(rest)[0]}.`);
    if (typeof deadLetterTargetArn !== 'string')
      throw bad('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
    const count = Number(maxReceiveCount);
    if (maxReceiveCount === undefined)
      throw bad('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      throw bad(
        `Invalid value for maxReceiveCount: ${String(maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`,
      );
    }
    if (deadLetterTargetArn === selfArn) throw bad('Dead letter target cannot be the source queue.');
    if (!this.findByArn(deadLetterTargetArn)) throw bad('Dead letter target does not exist.');
    return { deadLetterTargetArn, maxReceiveCount: count };
  }
}

/** The attributes GetQueueAttributes answers for a queue (all of them; the caller filters). */
export function queueAttributes(queue: Queue): Record<string, string> {
  const counts = queue.counts();
  const s = queue.settings;
  return {
    QueueArn: queue.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.lastModifiedAt / 1000)),
    VisibilityTimeout: String(s.visibilityTimeout),
    MaximumMessageSize: String(s.maximumMessageSize),
    MessageRetentionPeriod: String(s.messageRetentionPeriod),
    DelaySeconds: String(s.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(s.receiveMessageWaitTimeSeconds),
    ...(s.redrivePolicy ? { RedrivePolicy: JSON.stringify(s.redrivePolicy) } : {}),
    ...s.stored,
  };
}

/** Every attribute name GetQueueAttributes knows. */
export const KNOWN_ATTRIBUTES = new Set<string>([
  ...Object.keys(RANGES),
  ...READ_ONLY_ATTRIBUTES,
  'RedrivePolicy',
  ...STORED,
  ...FIFO,
]);

function defaultSettings(): QueueSettings {
  return {
    delaySeconds: RANGES.DelaySeconds.default,
    maximumMessageSize: RANGES.MaximumMessageSize.default,
    messageRetentionPeriod: RANGES.MessageRetentionPeriod.default,
    receiveMessageWaitTimeSeconds: RANGES.ReceiveMessageWaitTimeSeconds.default,
    visibilityTimeout: RANGES.VisibilityTimeout.default,
    stored: {},
  };
}

function settingKey(attribute: RangedAttribute): Exclude<keyof QueueSettings, 'redrivePolicy' | 'stored'> {
  return (attribute.charAt(0).toLowerCase() + attribute.slice(1)) as Exclude<
    keyof QueueSettings,
    'redrivePolicy' | 'stored'
  >;
}

function renderSetting(settings: QueueSettings, attribute: string): string | undefined {
  if (attribute in RANGES) return String(settings[settingKey(attribute as RangedAttribute)]);
  if (attribute === 'RedrivePolicy')
    return settings.redrivePolicy ? JSON.stringify(settings.redrivePolicy) : '';
  return settings.stored[attribute];
}

function fifoUnsupported(): SqsError {
  return new SqsError(
    'InvalidParameterValue',
    'The sim emulates standard queues only; FIFO queues are not modelled.',
  );
}
