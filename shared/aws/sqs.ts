import { SendMessageCommand, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { DEFAULT_CLIENT_CONFIG } from './client-config';
import { type AwsErrorContext, toAwsError } from './errors';

const SERVICE = 'sqs';

/** The SQS calls healthgate makes. */
export interface SqsAdapter {
  /**
   * SendMessage of a JSON body to `queueUrl`, delivered no earlier than `delaySeconds` from now (0 to 900, whole
   * seconds: SQS's per-message delay). Resolves with the message id once SQS has stored it.
   */
  sendJson(queueUrl: string, body: unknown, delaySeconds: number): Promise<string>;
}

/**
 * A client with healthgate's defaults: adaptive retries, bounded attempts, endpoint from the SDK's env.
 * `overrides` is for tests (a request handler) and tuning; never pass an endpoint.
 */
export function createSqsClient(overrides: SQSClientConfig = {}): SQSClient {
  return new SQSClient({ ...DEFAULT_CLIENT_CONFIG, ...overrides });
}

/** The SQS adapter. */
export function createSqsAdapter(client: SQSClient = createSqsClient()): SqsAdapter {
  return {
    async sendJson(queueUrl, body, delaySeconds) {
      const DelaySeconds = Math.min(900, Math.max(0, Math.ceil(delaySeconds)));
      const context: AwsErrorContext = {
        service: SERVICE,
        operation: 'SendMessage',
        // The body may carry a lifecycle action token: never in an error's context.
        params: { QueueUrl: queueUrl, DelaySeconds },
      };
      try {
        const out = await client.send(
          new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body), DelaySeconds }),
        );
        return out.MessageId ?? '';
      } catch (error) {
        throw toAwsError(context, error);
      }
    },
  };
}
