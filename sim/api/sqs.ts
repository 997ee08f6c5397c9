/**
 * SQS operations (AWS JSON 1.0, `X-Amz-Target: AmazonSQS.<Action>`, query-compatible errors): queues, sending
 * with per-message delays, receiving with visibility timeouts and long polling, deleting by receipt handle.
 * Validation follows the API reference's documented ranges; the error codes are those the SDK's service model
 * declares (see sim/model/sqs-errors.ts).
 */
import type {
  ChangeMessageVisibilityRequest,
  CreateQueueRequest,
  DeleteMessageBatchRequest,
  DeleteMessageRequest,
  DeleteQueueRequest,
  GetQueueAttributesRequest,
  GetQueueUrlRequest,
  ListQueuesRequest,
  PurgeQueueRequest,
  ReceiveMessageRequest,
  SendMessageBatchRequest,
  SendMessageBatchRequestEntry,
  SendMessageRequest,
  SetQueueAttributesRequest,
} from '@aws-sdk/client-sqs';
import type { ControlPlane } from '../model/control-plane';
import { SimError } from '../model/errors';
import type { Queue, ReceivedMessage } from '../model/queue';
import { KNOWN_ATTRIBUTES, queueAttributes } from '../model/queues';
import { invalidParameter, SqsError } from '../model/sqs-errors';
import {
  checkAttributes,
  checkCharacters,
  type MessageAttributes,
  md5OfAttributes,
  messageSize,
  selectAttributes,
} from '../model/sqs-message';
import type { JsonOperation } from './operation';
import { type PageLimit, type PagingErrors, pageOf, pageSize } from './paging';

/** "Maximum number of entries per request are 10." (SendMessageBatch, DeleteMessageBatch). */
export const MAX_BATCH_ENTRIES = 10;
/** The whole SendMessageBatch payload, like one message, is at most 1 MiB. */
export const MAX_BATCH_BYTES = 1_048_576;
/** ListQueues: "Value range: 1 to 1,000"; without MaxResults, up to 1,000 URLs. */
const LIST_PAGE: PageLimit = { member: 'MaxResults', default: 1000, min: 1, max: 1000 };
const listErrors: PagingErrors = {
  outOfRange: (value) =>
    invalidParameter('MaxResults', value, 'MaxResults must be an integer between 1 and 1000.'),
  invalidToken: () => new SqsError('InvalidParameterValue', 'Invalid NextToken value.'),
};

const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'DeadLetterQueueSourceArn',
  'AWSTraceHeader',
] as const;

const checkInteger = (name: string, value: number | undefined, min: number, max: number, reason: string) => {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw invalidParameter(name, value, reason);
  }
};

/** Batch entries: 1 to 10, distinct ids of the allowed shape. */
const checkEntries = (entries: readonly { Id?: string }[] | undefined, kind: string): void => {
  const list = entries ?? [];
  if (list.length === 0) {
    throw new SqsError('EmptyBatchRequest', `There should be at least one ${kind} in the request.`);
  }
  if (list.length > MAX_BATCH_ENTRIES) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${list.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const { Id } of list) {
    if (!Id || !BATCH_ID.test(Id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(Id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${Id} repeated.`);
    seen.add(Id);
  }
};

/** Validates one message for `queue` and stores it; the result is SendMessage's output. */
const sendOne = (queue: Queue, input: Omit<SendMessageRequest, 'QueueUrl'>) => {
  if (input.MessageBody === undefined || input.MessageBody === '') {
    throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
  }
  checkInteger('DelaySeconds', input.DelaySeconds, 0, 900, 'DelaySeconds must be >= 0 and <= 900.');
  if (input.MessageDeduplicationId !== undefined) {
    throw invalidParameter(
      'MessageDeduplicationId',
      input.MessageDeduplicationId,
      'The request include parameter that is not valid for this queue type.',
    );
  }
  checkCharacters(input.MessageBody);
  const attributes = input.MessageAttributes as MessageAttributes | undefined;
  checkAttributes(attributes);
  const limit = queue.settings.maximumMessageSize;
  if (messageSize(input.MessageBody, attributes) > limit) {
    throw new SqsError(
      'InvalidParameterValue',
      `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`,
    );
  }
  const trace = input.MessageSystemAttributes?.AWSTraceHeader?.StringValue;
  const sent = queue.send({
    body: input.MessageBody,
    ...(attributes ? { attributes } : {}),
    ...(input.DelaySeconds !== undefined ? { delaySeconds: input.DelaySeconds } : {}),
    ...(trace ? { traceHeader: trace } : {}),
  });
  return {
    MessageId: sent.messageId,
    MD5OfMessageBody: sent.md5OfBody,
    ...(sent.md5OfAttributes ? { MD5OfMessageAttributes: sent.md5OfAttributes } : {}),
  };
};

/** A received message in ReceiveMessage's shape, with the system and message attributes asked for. */
const messageView = (
  m: ReceivedMessage,
  systemNames: readonly string[],
  attributeNames: readonly string[],
) => {
  const all = systemNames.includes('All');
  const system = Object.fromEntries(
    SYSTEM_ATTRIBUTES.filter(
      (name) => (all || systemNames.includes(name)) && m.system[name] !== undefined,
    ).map((name) => [name, m.system[name]!]),
  );
  const attributes = selectAttributes(m.attributes, attributeNames);
  return {
    MessageId: m.messageId,
    ReceiptHandle: m.receiptHandle,
    MD5OfBody: m.md5OfBody,
    Body: m.body,
    ...(Object.keys(system).length > 0 ? { Attributes: system } : {}),
    ...(attributes ? { MessageAttributes: attributes, MD5OfMessageAttributes: md5Of(attributes) } : {}),
  };
};

const md5Of = (attributes: MessageAttributes): string => md5OfAttributes(attributes)!;

/** The operations by action name. */
export const sqsOperations = (cp: ControlPlane): Record<string, JsonOperation> => {
  const queues = cp.queues;
  return {
    CreateQueue: (raw) => {
      const i = raw as CreateQueueRequest;
      if (!i.QueueName)
        throw new SqsError('MissingParameter', 'The request must contain the parameter QueueName.');
      return { QueueUrl: queues.create(i.QueueName, i.Attributes ?? {}).url };
    },
    GetQueueUrl: (raw) => {
      const i = raw as GetQueueUrlRequest;
      if (i.QueueOwnerAWSAccountId !== undefined && i.QueueOwnerAWSAccountId !== cp.accountId) {
        throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
      }
      return { QueueUrl: queues.byName(i.QueueName ?? '').url };
    },
    ListQueues: (raw) => {
      const i = raw as ListQueuesRequest;
      // Without MaxResults SQS answers up to 1,000 URLs and no token; with it, pages.
      const size = pageSize(i.MaxResults, LIST_PAGE, listErrors);
      const { page, next } = pageOf(
        queues.list(i.QueueNamePrefix ?? ''),
        (q) => q.name,
        { size, token: i.NextToken },
        listErrors,
      );
      return {
        ...(page.length > 0 ? { QueueUrls: page.map((q) => q.url) } : {}),
        ...(next && i.MaxResults !== undefined ? { NextToken: next } : {}),
      };
    },
    GetQueueAttributes: (raw) => {
      const i = raw as GetQueueAttributesRequest;
      const queue = queues.byUrl(i.QueueUrl);
      const names = (i.AttributeNames ?? []) as string[];
      for (const name of names) {
        if (name !== 'All' && !KNOWN_ATTRIBUTES.has(name)) {
          throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
        }
      }
      const all = queueAttributes(queue);
      const picked = names.includes('All')
        ? all
        : Object.fromEntries(Object.entries(all).filter(([k]) => names.includes(k)));
      return Object.keys(picked).length > 0 ? { Attributes: picked } : {};
    },
    SetQueueAttributes: (raw) => {
      const i = raw as SetQueueAttributesRequest;
      queues.setAttributes(queues.byUrl(i.QueueUrl), i.Attributes ?? {});
      return {};
    },
    DeleteQueue: (raw) => {
      queues.delete(queues.byUrl((raw as DeleteQueueRequest).QueueUrl));
      return {};
    },
    PurgeQueue: (raw) => {
      queues.byUrl((raw as PurgeQueueRequest).QueueUrl).purge();
      return {};
    },
    SendMessage: (raw) => {
      const { QueueUrl, ...message } = raw as SendMessageRequest;
      return sendOne(queues.byUrl(QueueUrl), message);
    },
    SendMessageBatch: (raw) => {
      const i = raw as SendMessageBatchRequest;
      const queue = queues.byUrl(i.QueueUrl);
      checkEntries(i.Entries, 'SendMessageBatchRequestEntry');
      const entries = i.Entries as SendMessageBatchRequestEntry[];
      const total = entries.reduce(
        (sum, e) =>
          sum + messageSize(e.MessageBody ?? '', e.MessageAttributes as MessageAttributes | undefined),
        0,
      );
      if (total > MAX_BATCH_BYTES) {
        throw new SqsError(
          'BatchRequestTooLong',
          `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
        );
      }
      const Successful: Record<string, unknown>[] = [];
      const Failed: Record<string, unknown>[] = [];
      for (const { Id, ...message } of entries) {
        try {
          Successful.push({ Id, ...sendOne(queue, message) });
        } catch (error) {
          if (!(error instanceof SimError)) throw error;
          Failed.push({ Id, SenderFault: error.status < 500, Code: error.code, Message: error.message });
        }
      }
      return { Successful, Failed };
    },
    ReceiveMessage: async (raw, context) => {
      const i = raw as ReceiveMessageRequest;
      const queue = queues.byUrl(i.QueueUrl);
      checkInteger(
        'MaxNumberOfMessages',
        i.MaxNumberOfMessages,
        1,
        10,
        'Must be between 1 and 10, if provided.',
      );
      checkInteger(
        'VisibilityTimeout',
        i.VisibilityTimeout,
        0,
        43_200,
        'Must be between 0 and 43200, if provided.',
      );
      checkInteger('WaitTimeSeconds', i.WaitTimeSeconds, 0, 20, 'Must be >= 0 and <= 20, if provided.');
      const messages = await queue.receive({
        max: i.MaxNumberOfMessages ?? 1,
        ...(i.VisibilityTimeout !== undefined ? { visibilityTimeout: i.VisibilityTimeout } : {}),
        ...(i.WaitTimeSeconds !== undefined ? { waitSeconds: i.WaitTimeSeconds } : {}),
        signal: context.signal,
      });
      // AttributeNames is the deprecated spelling of MessageSystemAttributeNames; SQS honours both.
      const systemNames = [
        ...(i.MessageSystemAttributeNames ?? []),
        ...((i.AttributeNames ?? []) as string[]),
      ];
      const attributeNames = i.MessageAttributeNames ?? [];
      return messages.length > 0
        ? { Messages: messages.map((m) => messageView(m, systemNames, attributeNames)) }
        : {};
    },
    DeleteMessage: (raw) => {
      const i = raw as DeleteMessageRequest;
      const queue = queues.byUrl(i.QueueUrl);
      if (!i.ReceiptHandle) {
        throw new SqsError('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
      }
      queue.delete(i.ReceiptHandle);
      return {};
    },
    DeleteMessageBatch: (raw) => {
      const i = raw as DeleteMessageBatchRequest;
      const queue = queues.byUrl(i.QueueUrl);
      checkEntries(i.Entries, 'DeleteMessageBatchRequestEntry');
      const Successful: Record<string, unknown>[] = [];
      const Failed: Record<string, unknown>[] = [];
      for (const { Id, ReceiptHandle } of i.Entries ?? []) {
        try {
          queue.delete(ReceiptHandle ?? '');
          Successful.push({ Id });
        } catch (error) {
          if (!(error instanceof SimError)) throw error;
          Failed.push({ Id, SenderFault: error.status < 500, Code: error.code, Message: error.message });
        }
      }
      return { Successful, Failed };
    },
    ChangeMessageVisibility: (raw) => {
      const i = raw as ChangeMessageVisibilityRequest;
      const queue = queues.byUrl(i.QueueUrl);
      if (!i.ReceiptHandle) {
        throw new SqsError('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
      }
      queue.changeVisibility(i.ReceiptHandle, i.VisibilityTimeout ?? Number.NaN);
      return {};
    },
  };
};
