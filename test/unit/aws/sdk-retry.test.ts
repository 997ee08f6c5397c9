import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAutoScalingAdapter, createAutoScalingClient } from '../../../shared/aws/autoscaling';
import { AwsCallError, isTransientAwsError } from '../../../shared/aws/errors';

// No aws-sdk-client-mock here: it patches every client's `send`, which would bypass the retry middleware.
const ref = { group: 'web-green', hook: 'launch-gate', token: 'tok-123', instanceId: 'i-0abc' };

describe('SDK retry of the real client', () => {
  // A real client whose request handler answers with a canned query-protocol error, counting requests: proves
  // what the SDK's own retry strategy does, which a mocked `send` would bypass.
  function clientAnswering(code: string, message: string, status: number, maxAttempts = 3) {
    let requests = 0;
    const client = createAutoScalingClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      retryMode: 'standard',
      maxAttempts,
      requestHandler: {
        handle: async () => {
          requests += 1;
          const body = `<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;
          return {
            response: {
              statusCode: status,
              reason: '',
              headers: { 'content-type': 'text/xml' },
              body: Readable.from([Buffer.from(body)]),
            },
          };
        },
      } as never,
    });
    return { client, requests: () => requests };
  }

  it('does not retry "No active Lifecycle Action found" (ValidationError, 400)', async () => {
    const { client, requests } = clientAnswering(
      'ValidationError',
      'No active Lifecycle Action found with instance ID i-0abc',
      400,
    );
    const real = createAutoScalingAdapter(client);
    await expect(real.completeLifecycleAction({ ...ref, result: 'CONTINUE' })).resolves.toBe(
      'already-completed',
    );
    expect(requests()).toBe(1);
  });

  it('does retry a transient 503, so the counting above can tell', async () => {
    const { client, requests } = clientAnswering('ServiceUnavailable', 'try again', 503);
    const real = createAutoScalingAdapter(client);
    await expect(real.completeLifecycleAction({ ...ref, result: 'CONTINUE' })).rejects.toBeInstanceOf(
      AwsCallError,
    );
    expect(requests()).toBe(3);
  });

  // The errors a real client deserialises, not hand-made ones: the gate waits on exactly what the SDK would retry.
  it.each([
    ['Throttling', 400, true],
    ['ServiceUnavailable', 503, true],
    ['SomethingNew', 502, true],
    ['AccessDenied', 403, false],
    ['ValidationError', 400, false],
  ])('a real %s (%i) once retries are spent: transient %s', async (code, status, transient) => {
    const { client } = clientAnswering(code, 'answer', status, 1);
    const error = await createAutoScalingAdapter(client)
      .completeLifecycleAction({ ...ref, result: 'CONTINUE' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).code).toBe(code);
    expect(isTransientAwsError(error)).toBe(transient);
  });

  it('the default client uses adaptive retries with bounded attempts', async () => {
    const client = createAutoScalingClient();
    expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    expect(await client.config.maxAttempts()).toBe(4);
  });
});
