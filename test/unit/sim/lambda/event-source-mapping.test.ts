/**
 * The SQS event source mapping with fake handlers, on real time (visibility timeouts are whole seconds): batches
 * in Lambda's SQS event shape, deletes on success, partial batch responses, whole-batch failures, redrive after
 * repeated failures, concurrency bounded by MaximumConcurrency and by the function's reserved concurrency (the
 * mapping backs off when throttled), and CreateEventSourceMapping's validation.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../../../sim';
import type { Queue } from '../../../../sim/model/queue';

let sim: Sim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const until = async (probe: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** Sends bodies through the real SQS client, ten per batch call. */
const sendAll = async (s: Sim, queue: Queue, bodies: string[]) => {
  const sqs = new SQSClient({
    endpoint: s.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: bodies.slice(i, i + 10).map((MessageBody, j) => ({ Id: `e${i + j}`, MessageBody })),
      }),
    );
  }
};

const start = async (queueAttributes: Record<string, string> = { VisibilityTimeout: '1' }) => {
  sim = await startSim({ seed: 21 });
  const queue = sim.model.queues.create('steps', queueAttributes);
  return { s: sim, queue };
};

describe('SQS event source mapping', () => {
  it('delivers batches of at most BatchSize in Lambda’s SQS event shape and deletes them on success', async () => {
    const { s, queue } = await start();
    const batches: SQSEvent[] = [];
    s.functions.register(
      'consumer',
      (event: SQSEvent) => {
        batches.push(event);
        return {};
      },
      { timeoutMs: 1000 },
    );
    const mapping = s.eventSourceMappings.create({
      EventSourceArn: queue.arn,
      FunctionName: 'consumer',
      BatchSize: 4,
    });
    await sendAll(
      s,
      queue,
      Array.from({ length: 25 }, (_, i) => `m${i}`),
    );
    await until(() => batches.flatMap((b) => b.Records).length >= 25, 5000, 'every message');
    await until(() => queue.counts().inFlight === 0, 2000, 'the deletes');
    expect(batches.every((b) => b.Records.length >= 1 && b.Records.length <= 4)).toBe(true);
    expect(new Set(batches.flatMap((b) => b.Records.map((r) => r.body))).size).toBe(25);
    expect(batches[0]!.Records[0]).toEqual({
      messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      receiptHandle: expect.any(String),
      body: expect.stringMatching(/^m\d+$/),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: '123456789012',
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {},
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:steps',
      awsRegion: 'us-east-1',
    });
    expect(queue.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(mapping.batches.every((b) => b.outcome === 'deleted')).toBe(true);
    expect(
      s.functions.invocations.every((r) => r.source === mapping.uuid && r.type === 'RequestResponse'),
    ).toBe(true);
    expect(s.eventSourceMappings.describe(mapping.uuid)).toMatchObject({
      UUID: mapping.uuid,
      FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:consumer',
      BatchSize: 4,
      State: 'Enabled',
    });
  });

  it('gathers up to BatchSize within the batching window', async () => {
    const { s, queue } = await start();
    const sizes: number[] = [];
    s.functions.register(
      'consumer',
      (event: SQSEvent) => {
        sizes.push(event.Records.length);
      },
      { timeoutMs: 1000 },
    );
    await sendAll(
      s,
      queue,
      Array.from({ length: 30 }, (_, i) => `m${i}`),
    );
    s.eventSourceMappings.create(
      {
        EventSourceArn: queue.arn,
        FunctionName: 'consumer',
        BatchSize: 30,
        MaximumBatchingWindowInSeconds: 1,
      },
      { baseConcurrency: 1 },
    );
    await until(() => sizes.reduce((a, b) => a + b, 0) >= 30, 5000, 'every message');
    expect(sizes).toEqual([30]);
  });

  it('ReportBatchItemFailures: the reported messages come back after the visibility timeout, the others are deleted', async () => {
    const { s, queue } = await start();
    const seen: { body: string; count: string }[] = [];
    s.functions.register(
      'consumer',
      (event: SQSEvent) => {
        for (const r of event.Records)
          seen.push({ body: r.body, count: r.attributes.ApproximateReceiveCount });
        const failed = event.Records.filter(
          (r) => r.body === 'bad' && r.attributes.ApproximateReceiveCount === '1',
        );
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { timeoutMs: 1000 },
    );
    await sendAll(s, queue, ['good-1', 'bad', 'good-2']);
    const mapping = s.eventSourceMappings.create(
      {
        EventSourceArn: queue.arn,
        FunctionName: 'consumer',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
      { baseConcurrency: 1 },
    );
    await until(() => seen.some((x) => x.body === 'bad' && x.count === '2'), 5000, 'the redelivery');
    await until(() => queue.counts().inFlight === 0 && queue.counts().visible === 0, 2000, 'an empty queue');
    expect(seen.filter((x) => x.body.startsWith('good'))).toEqual([
      { body: 'good-1', count: '1' },
      { body: 'good-2', count: '1' },
    ]);
    expect(mapping.batches.map((b) => b.outcome)).toEqual(['partial', 'deleted']);
    expect(mapping.batches[0]!.kept).toHaveLength(1);
  });

  it('a thrown error (or an invalid batch response) keeps the whole batch; repeated failures end in the dead-letter queue', async () => {
    sim = await startSim({ seed: 22 });
    const s = sim;
    const dlq = s.model.queues.create('steps-dlq');
    const queue = s.model.queues.create('steps', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    let calls = 0;
    s.functions.register(
      'consumer',
      (event: SQSEvent) => {
        calls++;
        if (calls === 1) throw new Error('boom');
        // An identifier that is not in the batch: Lambda treats the whole batch as failed.
        return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }], size: event.Records.length };
      },
      { timeoutMs: 1000 },
    );
    await sendAll(s, queue, ['a', 'b']);
    const mapping = s.eventSourceMappings.create(
      {
        EventSourceArn: queue.arn,
        FunctionName: 'consumer',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
      { baseConcurrency: 1 },
    );
    await until(() => dlq.counts().visible === 2, 8000, 'both messages in the dead-letter queue');
    expect(mapping.batches.map((b) => [b.outcome, b.why])).toEqual([
      ['failed', 'function error'],
      ['failed', 'itemIdentifier not-in-this-batch is not a message of the batch'],
    ]);
    expect(mapping.batches.every((b) => b.kept.length === 2)).toBe(true);
    expect(queue.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('without ReportBatchItemFailures a returned batchItemFailures is ignored: the batch is deleted', async () => {
    const { s, queue } = await start();
    s.functions.register(
      'consumer',
      (event: SQSEvent) => ({
        batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
      }),
      { timeoutMs: 1000 },
    );
    await sendAll(s, queue, ['x']);
    const mapping = s.eventSourceMappings.create({ EventSourceArn: queue.arn, FunctionName: 'consumer' });
    await until(() => mapping.batches.length === 1, 3000, 'the batch');
    expect(mapping.batches[0]!.outcome).toBe('deleted');
    expect(queue.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('never more concurrent invocations than MaximumConcurrency', async () => {
    const { s, queue } = await start({ VisibilityTimeout: '5' });
    s.functions.register('consumer', () => new Promise((resolve) => setTimeout(resolve, 40)), {
      timeoutMs: 1000,
    });
    await sendAll(
      s,
      queue,
      Array.from({ length: 30 }, (_, i) => `m${i}`),
    );
    const mapping = s.eventSourceMappings.create({
      EventSourceArn: queue.arn,
      FunctionName: 'consumer',
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    await until(() => mapping.batches.length === 30, 8000, 'every batch');
    expect(s.functions.stats('consumer').peakConcurrency).toBe(2);
    expect(s.functions.stats('consumer').throttles).toBe(0);
  });

  it('never above the function’s reserved concurrency: throttled batches back off and are retried; nothing is lost', async () => {
    const { s, queue } = await start({ VisibilityTimeout: '3' });
    const bodies = new Set<string>();
    s.functions.register(
      'consumer',
      async (event: SQSEvent) => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        for (const r of event.Records) bodies.add(r.body);
      },
      { timeoutMs: 1000, reservedConcurrency: 2 },
    );
    await sendAll(
      s,
      queue,
      Array.from({ length: 40 }, (_, i) => `m${i}`),
    );
    const mapping = s.eventSourceMappings.create(
      { EventSourceArn: queue.arn, FunctionName: 'consumer', BatchSize: 1 },
      { baseConcurrency: 8, throttleRetryMs: { initial: 20, max: 100 }, scaleIntervalMs: 100 },
    );
    await until(() => bodies.size === 40, 15_000, 'every message processed');
    await until(() => queue.counts().inFlight === 0 && queue.counts().visible === 0, 5000, 'an empty queue');
    const stats = s.functions.stats('consumer');
    expect(stats.peakConcurrency).toBe(2);
    expect(Math.max(...s.functions.concurrencySamples('consumer').map((x) => x.running))).toBeLessThanOrEqual(
      2,
    );
    expect(stats.throttles).toBeGreaterThan(0);
    expect(mapping.batches.some((b) => b.throttles > 0)).toBe(true);
    // It halved itself below the 8 pollers it started with.
    expect(mapping.concurrency).toBeLessThan(8);
  });

  it('a deleted queue stops its pollers instead of spinning on empty receives', async () => {
    const { s, queue } = await start();
    s.functions.register('consumer', () => undefined, { timeoutMs: 1000 });
    const mapping = s.eventSourceMappings.create({ EventSourceArn: queue.arn, FunctionName: 'consumer' });
    await until(() => mapping.pollers === 5, 2000, 'five pollers');
    s.model.queues.delete(queue);
    await until(() => mapping.pollers === 0, 2000, 'the pollers to stop');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(mapping.pollers).toBe(0);
  });

  it('more than ten pollers long-polling at once raise no listener warning', async () => {
    const { s, queue } = await start();
    s.functions.register('consumer', () => undefined, { timeoutMs: 1000 });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const mapping = s.eventSourceMappings.create(
        { EventSourceArn: queue.arn, FunctionName: 'consumer' },
        { baseConcurrency: 12 },
      );
      await until(() => mapping.pollers === 12, 2000, 'twelve pollers');
      // Each one waits on the queue, listening for the mapping to stop; a warning is emitted on a later tick.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('CreateEventSourceMapping’s rules: visibility ≥ function timeout, BatchSize > 10 needs a window, MaximumConcurrency 2–1000, one per queue and function', async () => {
    const { s, queue } = await start({ VisibilityTimeout: '30' });
    s.functions.register('slow', () => 1, { timeoutMs: 300_000 });
    s.functions.register('fast', () => 1, { timeoutMs: 3000 });
    expect(() => s.eventSourceMappings.create({ EventSourceArn: queue.arn, FunctionName: 'slow' })).toThrow(
      'Queue visibility timeout: 30 seconds is less than Function timeout: 300 seconds',
    );
    expect(() =>
      s.eventSourceMappings.create({ EventSourceArn: queue.arn, FunctionName: 'fast', BatchSize: 11 }),
    ).toThrow(
      'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
    );
    expect(() =>
      s.eventSourceMappings.create({
        EventSourceArn: queue.arn,
        FunctionName: 'fast',
        ScalingConfig: { MaximumConcurrency: 1 },
      }),
    ).toThrow(
      /scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value greater than or equal to 2/,
    );
    expect(() =>
      s.eventSourceMappings.create({ EventSourceArn: `${queue.arn}-nope`, FunctionName: 'fast' }),
    ).toThrow(/NonExistentQueue/);
    expect(() => s.eventSourceMappings.create({ EventSourceArn: queue.arn, FunctionName: 'nope' })).toThrow(
      /Function not found/,
    );
    const mapping = s.eventSourceMappings.create({ EventSourceArn: queue.arn, FunctionName: 'fast' });
    expect(() => s.eventSourceMappings.create({ EventSourceArn: queue.arn, FunctionName: 'fast' })).toThrow(
      new RegExp(`already exists.*${mapping.uuid}`),
    );
    await s.eventSourceMappings.delete(mapping.uuid);
    expect(s.eventSourceMappings.list()).toEqual([]);
  });
});
