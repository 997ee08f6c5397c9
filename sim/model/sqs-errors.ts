/**
 * SQS's errors. SQS speaks AWS JSON 1.0 with query compatibility: each error has its JSON shape name (`__type`,
 * e.g. `QueueDoesNotExist`) and the code the query protocol used (`x-amzn-query-error`, e.g.
 * `AWS.SimpleQueueService.NonExistentQueue`), which the SDK reads first. Both, and the HTTP status, are the ones
 * `@aws-sdk/client-sqs`'s service model declares; errors the model does not declare (`InvalidParameterValue`,
 * `MissingParameter`) use their code for both.
 */
import { SimError } from './errors';

/** The SQS errors the sim raises: JSON shape name → query code and HTTP status. */
export const SqsErrorCode = {
  QueueDoesNotExist: { query: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { query: 'QueueAlreadyExists', status: 400 },
  QueueDeletedRecently: { query: 'AWS.SimpleQueueService.QueueDeletedRecently', status: 400 },
  InvalidParameterValue: { query: 'InvalidParameterValue', status: 400 },
  MissingParameter: { query: 'MissingParameter', status: 400 },
  InvalidAttributeName: { query: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { query: 'InvalidAttributeValue', status: 400 },
  InvalidMessageContents: { query: 'InvalidMessageContents', status: 400 },
  ReceiptHandleIsInvalid: { query: 'ReceiptHandleIsInvalid', status: 404 },
  MessageNotInflight: { query: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  EmptyBatchRequest: { query: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  TooManyEntriesInBatchRequest: { query: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', status: 400 },
  BatchEntryIdsNotDistinct: { query: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400 },
  InvalidBatchEntryId: { query: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  BatchRequestTooLong: { query: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  PurgeQueueInProgress: { query: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403 },
  UnsupportedOperation: { query: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
} as const;
export type SqsErrorCode = keyof typeof SqsErrorCode;

/**
 * An SQS error: `code` is the JSON shape name, `queryCode` what `x-amzn-query-error` carries.
 *
 * @example
 * throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
 */
export class SqsError extends SimError {
  readonly queryCode: string;

  constructor(code: SqsErrorCode, message: string) {
    super(code, message, SqsErrorCode[code].status);
    this.queryCode = SqsErrorCode[code].query;
  }
}

/** SQS's message for a parameter outside its range: `Value 901 for parameter DelaySeconds is invalid. Reason: …`. */
export const invalidParameter = (name: string, value: unknown, reason: string): SqsError =>
  new SqsError(
    'InvalidParameterValue',
    `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`,
  );

/** The queue a URL, name or ARN names is not there. */
export const noSuchQueue = (): SqsError =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
