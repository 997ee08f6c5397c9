/**
 * The SQS event a Lambda event source mapping hands the function, and how Lambda reads the function's partial
 * batch response (`ReportBatchItemFailures`). Pure.
 */
import type { ReceivedMessage } from '../model/queue';
import type { MessageAttributes } from '../model/sqs-message';

/** One record of an SQS event, as `@types/aws-lambda`'s `SQSRecord`. */
export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    SenderId: string;
    ApproximateFirstReceiveTimestamp: string;
    AWSTraceHeader?: string;
    DeadLetterQueueSourceArn?: string;
  };
  messageAttributes: Record<
    string,
    {
      stringValue?: string;
      binaryValue?: string;
      stringListValues: string[];
      binaryListValues: string[];
      dataType: string;
    }
  >;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** The records of one batch, in the shape Lambda sends them. */
export function sqsRecords(
  messages: readonly ReceivedMessage[],
  queue: { arn: string; region: string },
  md5OfAttributes: (attributes: MessageAttributes) => string | undefined,
): SqsEventRecord[] {
  return messages.map((m) => ({
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: m.system.ApproximateReceiveCount,
      SentTimestamp: m.system.SentTimestamp,
      SenderId: m.system.SenderId,
      ApproximateFirstReceiveTimestamp: m.system.ApproximateFirstReceiveTimestamp,
      ...(m.system.AWSTraceHeader ? { AWSTraceHeader: m.system.AWSTraceHeader } : {}),
      ...(m.system.DeadLetterQueueSourceArn
        ? { DeadLetterQueueSourceArn: m.system.DeadLetterQueueSourceArn }
        : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.attributes ?? {}).map(([name, v]) => [
        name,
        {
          ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
          ...(v.BinaryValue !== undefined ? { binaryValue: v.BinaryValue } : {}),
          stringListValues: v.StringListValues ?? [],
          binaryListValues: v.BinaryListValues ?? [],
          dataType: v.DataType,
        },
      ]),
    ),
    md5OfBody: m.md5OfBody,
    ...(m.attributes ? { md5OfMessageAttributes: md5OfAttributes(m.attributes) } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: queue.region,
  }));
}

/** What Lambda makes of a successful invocation's result: which messages failed. */
export type BatchVerdict =
  | { kind: 'complete' }
  | { kind: 'partial'; failed: Set<string> }
  | { kind: 'failed'; why: string };

/**
 * Reads a partial batch response. A missing, null or empty `batchItemFailures` (or no response object at all)
 * is a complete success; an item whose `itemIdentifier` is missing, empty, not a string, or not a message id of
 * the batch makes the whole batch a failure, as Lambda documents.
 */
export function readBatchResponse(result: unknown, messageIds: ReadonlySet<string>): BatchVerdict {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return { kind: 'complete' };
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'complete' };
  if (!Array.isArray(failures)) return { kind: 'failed', why: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'complete' };
  const failed = new Set<string>();
  for (const item of failures) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '')
      return { kind: 'failed', why: 'an itemIdentifier is missing or empty' };
    if (!messageIds.has(id))
      return { kind: 'failed', why: `itemIdentifier ${id} is not a message of the batch` };
    failed.add(id);
  }
  return { kind: 'partial', failed };
}
