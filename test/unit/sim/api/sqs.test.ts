/**
 * The sim's SQS as the real SDK client sees it (AWS JSON 1.0, query-compatible errors): delays in 0–900 s,
 * visibility timeouts and redelivery with a growing receive count, redrive to a dead-letter queue past
 * maxReceiveCount, stale receipt handles, long polling, batch and size limits, retention, duplicates.
 * Time is a ManualScheduler's except where a test says it waits for real.
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SendMessageCommandInput,
  SetQueueAttributesCommand,
  SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sim, type SimOptions, startSim } from '../../../../sim';
import { ManualScheduler } from '../../../../sim/model/scheduler';
import { md5OfAttributes } from '../../../../sim/model/sqs-message';

let sim: Sim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const client = (s: Sim) =>
  new SQSClient({
    endpoint: s.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

/** A sim on a manual clock, an SDK client, and a queue. */
const setup = async (attributes: Record<string, string> = {}, options: SimOptions = {}) => {
  const scheduler = new ManualScheduler();
  sim = await startSim({ seed: 7, scheduler, ...options });
  const sqs = client(sim);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'steps', Attributes: attributes }));
  return { scheduler, sqs, url: QueueUrl! };
};

const failure = async (p: Promise<unknown>) => {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SQSServiceException)) throw new Error(`expected an SQS error, got ${String(error)}`);
  return error;
};

const receive = (sqs: SQSClient, url: string, input: Partial<ReceiveMessageCommandInput> = {}) =>
  sqs
    .send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
        WaitTimeSeconds: 0,
        ...input,
      }),
    )
    .then((out) => out.Messages ?? []);

const counts = async (sqs: SQSClient, url: string) => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes?.ApproximateNumberOfMessagesDelayed),
  };
};

describe('queues', () => {
  it('CreateQueue is idempotent for equal attributes, QueueNameExists otherwise; URLs stay on the sim; delete then recreate waits 60 s', async () => {
    const { sqs, url, scheduler } = await setup({ VisibilityTimeout: '60' });
    expect(url).toBe(`${sim!.endpoint}/123456789012/steps`);
    const again = await sqs.send(
      new CreateQueueCommand({ QueueName: 'steps', Attributes: { VisibilityTimeout: '60' } }),
    );
    expect(again.QueueUrl).toBe(url);
    expect(
      await failure(
        sqs.send(new CreateQueueCommand({ QueueName: 'steps', Attributes: { VisibilityTimeout: '30' } })),
      ),
    ).toBeInstanceOf(QueueNameExists);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'steps' }))).QueueUrl).toBe(url);
    await sqs.send(new CreateQueueCommand({ QueueName: 'other' }));
    expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'st' }))).QueueUrls).toEqual([url]);

    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'VisibilityTimeout'] }),
    );
    expect(Attributes).toEqual({
      QueueArn: 'arn:aws:sqs:us-east-1:123456789012:steps',
      VisibilityTimeout: '60',
    });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: '5' } }));
    const bad = await failure(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: '901' } })),
    );
    expect(bad.name).toBe('InvalidAttributeValue');
    expect((await failure(sqs.send(new CreateQueueCommand({ QueueName: 'bad name' })))).name).toBe(
      'InvalidParameterValue',
    );

    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const gone = await failure(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })));
    expect(gone).toBeInstanceOf(QueueDoesNotExist);
    expect(gone.message).toBe('The specified queue does not exist.');
    expect(gone.$metadata.httpStatusCode).toBe(400);
    expect((await failure(sqs.send(new CreateQueueCommand({ QueueName: 'steps' })))).name).toBe(
      'QueueDeletedRecently',
    );
    await scheduler.advance(60_000);
    expect((await sqs.send(new CreateQueueCommand({ QueueName: 'steps' }))).QueueUrl).toBe(url);
  });
});

describe('SendMessage', () => {
  it('DelaySeconds outside 0–900 (or not whole) → InvalidParameterValue; a delayed message is invisible until due', async () => {
    const { sqs, url, scheduler } = await setup();
    for (const DelaySeconds of [-1, 901, 1.5]) {
      const error = await failure(
        sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds })),
      );
      expect(error.name).toBe('InvalidParameterValue');
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
    expect(
      (
        await failure(
          sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 })),
        )
      ).message,
    ).toBe('Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.');

    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 900 }),
    );
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await counts(sqs, url)).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    await scheduler.advance(899_999);
    expect(await receive(sqs, url)).toEqual([]);
    await scheduler.advance(1);
    const [message] = await receive(sqs, url);
    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: 'later' });
    expect(Number(message!.Attributes!.SentTimestamp)).toBe(scheduler.now() - 900_000);
  });

  it('refuses a body past MaximumMessageSize (1 MiB by default; attributes count), characters outside the allowed set, and an empty body', async () => {
    const { sqs, url } = await setup();
    const send = (input: Partial<SendMessageCommandInput>) =>
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', ...input }));
    await send({ MessageBody: 'a'.repeat(1_048_576) });
    const tooBig = await failure(send({ MessageBody: 'a'.repeat(1_048_577) }));
    expect(tooBig.name).toBe('InvalidParameterValue');
    expect(tooBig.message).toBe(
      'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.',
    );

    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { MaximumMessageSize: '262144' } }),
    );
    await send({ MessageBody: 'a'.repeat(262_144) });
    expect((await failure(send({ MessageBody: 'a'.repeat(262_145) }))).name).toBe('InvalidParameterValue');
    const withAttribute = await failure(
      send({
        MessageBody: 'a'.repeat(262_140),
        MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
      }),
    );
    expect(withAttribute.message).toContain('shorter than 262144 bytes');

    const control = await failure(send({ MessageBody: 'bad \u0001 byte' }));
    expect(control.name).toBe('InvalidMessageContents');
    expect(control.message).toContain("'#x1'");
    expect((await failure(send({ MessageBody: '' }))).name).toBe('MissingParameter');
  });

  it('answers MD5s the SDK checks, and MD5OfMessageAttributes by SQS’s encoding', async () => {
    const { sqs, url } = await setup();
    const attributes = { attribName1: { DataType: 'String', StringValue: 'attribValue 1' } };
    // The digest published for this attribute (aws-md5-of-message-attributes' documented example).
    expect(md5OfAttributes(attributes)).toBe('19e27d4e946b072f3f58da80d94fd778');
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello', MessageAttributes: attributes }),
    );
    expect(sent.MD5OfMessageBody).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(sent.MD5OfMessageAttributes).toBe('19e27d4e946b072f3f58da80d94fd778');
    const [message] = await receive(sqs, url, { MessageAttributeNames: ['All'] });
    expect(message!.MessageAttributes).toEqual(attributes);
    expect(message!.MD5OfMessageAttributes).toBe('19e27d4e946b072f3f58da80d94fd778');
  });
});

describe('visibility and receipt handles', () => {
  it('a received message is invisible for the visibility timeout, then redelivered with ApproximateReceiveCount + 1 and a new handle', async () => {
    const { sqs, url, scheduler } = await setup({ VisibilityTimeout: '30' });
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'step' }));
    const [first] = await receive(sqs, url);
    expect(first!.Attributes).toMatchObject({ ApproximateReceiveCount: '1' });
    expect(first!.Attributes!.ApproximateFirstReceiveTimestamp).toBe(String(scheduler.now()));
    expect(await counts(sqs, url)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    await scheduler.advance(29_999);
    expect(await receive(sqs, url)).toEqual([]);
    await scheduler.advance(1);
    const firstReceivedAt = first!.Attributes!.ApproximateFirstReceiveTimestamp;
    const [second] = await receive(sqs, url, { VisibilityTimeout: 5 });
    expect(second).toMatchObject({ MessageId, Body: 'step' });
    expect(second!.Attributes).toMatchObject({
      ApproximateReceiveCount: '2',
      ApproximateFirstReceiveTimestamp: firstReceivedAt,
    });
    expect(second!.ReceiptHandle).not.toBe(first!.ReceiptHandle);

    // The first receive's handle is stale: the delete succeeds and deletes nothing, as SQS documents.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle }));
    await scheduler.advance(5_000);
    const [third] = await receive(sqs, url);
    expect(third!.Attributes!.ApproximateReceiveCount).toBe('3');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third!.ReceiptHandle }));
    await scheduler.advance(60_000);
    expect(await receive(sqs, url)).toEqual([]);
    // Deleting again is idempotent.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third!.ReceiptHandle }));
  });

  it('ChangeMessageVisibility: 0 makes it visible at once; a deleted message, a malformed handle and an expired one are refused', async () => {
    const { sqs, url, scheduler } = await setup();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'm' }));
    const [m] = await receive(sqs, url);
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: m!.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const [again] = await receive(sqs, url, { VisibilityTimeout: 10 });
    expect(again!.Attributes!.ApproximateReceiveCount).toBe('2');

    const stale = await failure(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: m!.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    );
    expect(stale.name).toBe('InvalidParameterValue');
    await scheduler.advance(10_000);
    const expired = await failure(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: again!.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    );
    expect(expired.name).toBe('MessageNotInflight');
    const malformed = await failure(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' })),
    );
    expect(malformed).toBeInstanceOf(ReceiptHandleIsInvalid);
    expect(malformed.$metadata.httpStatusCode).toBe(404);
    expect(malformed.message).toBe('The input receipt handle "not-a-handle" is not a valid receipt handle.');
  });
});

describe('redrive', () => {
  it('a receive that would exceed maxReceiveCount moves the message to the dead-letter queue, id and send time kept', async () => {
    const scheduler = new ManualScheduler();
    sim = await startSim({ seed: 8, scheduler });
    const sqs = client(sim);
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'steps-dlq' }))).QueueUrl!;
    const dlqArn = 'arn:aws:sqs:us-east-1:123456789012:steps-dlq';
    const refused = await failure(
      sqs.send(
        new CreateQueueCommand({
          QueueName: 'steps',
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 0 }) },
        }),
      ),
    );
    expect(refused.name).toBe('InvalidParameterValue');
    const missing = await failure(
      sqs.send(
        new CreateQueueCommand({
          QueueName: 'steps',
          Attributes: {
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${dlqArn}-nope`, maxReceiveCount: 3 }),
          },
        }),
      ),
    );
    expect(missing.message).toContain('Dead letter target does not exist');
    const url = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: 'steps',
          Attributes: {
            VisibilityTimeout: '10',
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }),
          },
        }),
      )
    ).QueueUrl!;
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    const sentAt = scheduler.now();
    for (const n of [1, 2, 3]) {
      const [m] = await receive(sqs, url);
      expect(m!.Attributes!.ApproximateReceiveCount).toBe(String(n));
      await scheduler.advance(10_000);
    }
    expect(await receive(sqs, url)).toEqual([]);
    expect(await counts(sqs, url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const [dead] = await receive(sqs, dlq);
    expect(dead).toMatchObject({ MessageId, Body: 'poison' });
    expect(dead!.Attributes).toMatchObject({
      DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:123456789012:steps',
      ApproximateReceiveCount: '1',
      SentTimestamp: String(sentAt),
    });
  });

  it('retention counts from the original send; PurgeQueue empties a queue once per 60 s', async () => {
    const { sqs, url, scheduler } = await setup({ MessageRetentionPeriod: '60' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'old' }));
    await scheduler.advance(59_999);
    expect(await counts(sqs, url)).toMatchObject({ visible: 1 });
    await scheduler.advance(1);
    expect(await receive(sqs, url)).toEqual([]);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(await counts(sqs, url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect((await failure(sqs.send(new PurgeQueueCommand({ QueueUrl: url })))).name).toBe(
      'PurgeQueueInProgress',
    );
  });
});

describe('batches', () => {
  it('1–10 entries with distinct ids; per-entry failures beside successes; MaxNumberOfMessages 1–10; 1 MiB per batch', async () => {
    const { sqs, url } = await setup();
    const entries = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` }));
    expect(
      (await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(11) })))).name,
    ).toBe('TooManyEntriesInBatchRequest');
    expect((await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })))).name).toBe(
      'EmptyBatchRequest',
    );
    const twice = [...entries(1), ...entries(1)];
    expect(
      (await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: twice })))).name,
    ).toBe('BatchEntryIdsNotDistinct');
    expect(
      (
        await failure(
          sqs.send(
            new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a b', MessageBody: 'x' }] }),
          ),
        )
      ).name,
    ).toBe('InvalidBatchEntryId');
    const big = Array.from({ length: 2 }, (_, i) => ({ Id: `b${i}`, MessageBody: 'a'.repeat(600_000) }));
    expect((await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: big })))).name).toBe(
      'BatchRequestTooLong',
    );

    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [...entries(9), { Id: 'late', MessageBody: 'x', DelaySeconds: 901 }],
      }),
    );
    expect(out.Successful).toHaveLength(9);
    expect(out.Failed).toEqual([
      {
        Id: 'late',
        SenderFault: true,
        Code: 'InvalidParameterValue',
        Message:
          'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
      },
    ]);
    expect((await failure(receive(sqs, url, { MaxNumberOfMessages: 11 }))).name).toBe(
      'InvalidParameterValue',
    );
    expect((await failure(receive(sqs, url, { MaxNumberOfMessages: 0 }))).name).toBe('InvalidParameterValue');
    const got = await receive(sqs, url, { MaxNumberOfMessages: 10 });
    expect(got).toHaveLength(9);
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          ...got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
          { Id: 'bad', ReceiptHandle: 'garbage' },
        ],
      }),
    );
    expect(deleted.Successful).toHaveLength(9);
    expect(deleted.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ]);
    expect(await counts(sqs, url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});

describe('long polling (real time)', () => {
  it('WaitTimeSeconds waits for the first message and returns as soon as one arrives; an empty poll ends at its wait; 0–20 only', async () => {
    sim = await startSim({ seed: 9 });
    const sqs = client(sim);
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'lp' }))).QueueUrl!;
    expect((await failure(receive(sqs, url, { WaitTimeSeconds: 21 }))).name).toBe('InvalidParameterValue');

    let started = Date.now();
    expect(await receive(sqs, url, { WaitTimeSeconds: 1 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);

    started = Date.now();
    const polling = receive(sqs, url, { WaitTimeSeconds: 10 });
    setTimeout(
      () => void client(sim!).send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'now' })),
      200,
    );
    const [m] = await polling;
    expect(m!.Body).toBe('now');
    expect(Date.now() - started).toBeLessThan(3_000);

    // The queue's ReceiveMessageWaitTimeSeconds applies when the call gives none.
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { ReceiveMessageWaitTimeSeconds: '1' } }),
    );
    started = Date.now();
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});

describe('at-least-once delivery', () => {
  /** Receives and deletes until the queue stays empty; the number of deliveries per message id. */
  const drain = async (seed: number) => {
    const scheduler = new ManualScheduler();
    const s = await startSim({ seed, scheduler, sqs: { duplicates: { rate: 0.3, delayMs: 1000 } } });
    try {
      const sqs = client(s);
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'dups' }))).QueueUrl!;
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        ids.push(
          (await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }))).MessageId!,
        );
      }
      const seen = new Map<string, number>();
      for (let round = 0; round < 10; round++) {
        for (const m of await receive(sqs, url)) {
          seen.set(m.MessageId!, (seen.get(m.MessageId!) ?? 0) + 1);
          await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
        }
        await scheduler.advance(1000);
      }
      return { ids, seen: [...seen.entries()].map(([id, n]) => [ids.indexOf(id), n]) };
    } finally {
      await s.close();
    }
  };

  it('with a duplicate rate, some deleted messages are delivered again; a fixed seed repeats the run exactly', async () => {
    const a = await drain(42);
    const b = await drain(42);
    expect(a.seen).toEqual(b.seen);
    expect(a.seen.map(([i]) => i).sort((x, y) => x! - y!)).toEqual(a.ids.map((_, i) => i));
    const duplicated = a.seen.filter(([, n]) => n! > 1);
    expect(duplicated.length).toBeGreaterThan(0);
    expect(duplicated.length).toBeLessThan(20);
  });
});
