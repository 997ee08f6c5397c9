import { CompleteLifecycleActionCommand } from '@aws-sdk/client-auto-scaling';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSqsAdapter } from '../../../shared/aws/sqs';
import { createLogger, createMetrics, powertoolsRecorder, tokenHash } from '../../../shared/observability';
import {
  createHarness,
  type FakeInstance,
  GROUP,
  INSTANCE,
  launchEvent,
  startInstance,
  TOKEN,
} from '../../support/launch-harness';

const QUEUE_URL = 'http://127.0.0.1:9/000000000000/healthgate-steps';

// The module reads its configuration once, at import (a cold start): the queue must be named before.
let module: typeof import('../../../functions/launch-gate');
beforeAll(async () => {
  vi.stubEnv('STEP_QUEUE_URL', QUEUE_URL);
  module = await import('../../../functions/launch-gate');
  vi.unstubAllEnvs();
});

function lambdaContext(remainingMs: () => number, functionName = 'healthgate-launch-gate'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'req-1',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function record(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'sender',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:healthgate-steps',
    awsRegion: 'us-east-1',
  };
}

let instance: FakeInstance;
beforeEach(async () => {
  instance = await startInstance();
});
afterEach(async () => {
  await instance.close();
});

describe('launch-gate handler', () => {
  it('is a middy handler that ignores a test notification and never throws on a malformed event', async () => {
    const context = lambdaContext(() => 60_000);
    await expect(
      module.handler(
        { source: 'aws.autoscaling', detail: { Event: 'autoscaling:TEST_NOTIFICATION' } } as never,
        context,
      ),
    ).resolves.toMatchObject({ outcome: 'ignored' });
    await expect(module.handler({ source: 'nope' } as never, context)).resolves.toMatchObject({
      outcome: 'invalid',
    });
  });

  it('refuses to start without the steps queue, naming STEP_QUEUE_URL', async () => {
    const { loadFunctionConfig } = await import('../../../shared/config');
    expect(() =>
      module.defaultLaunchGateDeps(loadFunctionConfig({}), { log: createLogger(), metrics: {} as never }),
    ).toThrow(/STEP_QUEUE_URL/);
  });

  it('runs each record of an SQS batch as one step, sending the next with SendMessage and DelaySeconds', async () => {
    const h = createHarness(instance);
    const sqs = new SQSClient({});
    const sqsMock = mockClient(sqs);
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-next' });
    const adapter = createSqsAdapter(sqs);
    const { remainingMs: _r, ...deps } = h.deps;
    const run = module.createLaunchGateHandler({
      ...deps,
      schedule: async (step, delaySeconds) => {
        await adapter.sendJson(QUEUE_URL, step, delaySeconds);
      },
    });
    const event: SQSEvent = { Records: [record('m-1', launchEvent()), record('m-2', 'not json {')] };
    const out = await run(
      event,
      lambdaContext(() => 60_000),
    );
    expect(out).toEqual({ batchItemFailures: [] });
    const sent = sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ QueueUrl: QUEUE_URL, DelaySeconds: 2 });
    expect(JSON.parse(sent[0]!.MessageBody!)).toMatchObject({
      healthgate: 'step',
      phase: 'gate',
      action: { group: GROUP, token: TOKEN, instanceId: INSTANCE },
      state: { probes: 1, handovers: 1 },
      seal: { kid: expect.any(String), mac: expect.any(String) },
    });
    // The malformed record was counted, not retried.
    expect(h.metrics.points.map((p) => p.name)).toContain('InvalidEvents');
  });

  it('reports only the step that failed, so SQS delivers it again', async () => {
    // An invalid policy is decided in the first step (POLICY_INVALID); completing it fails.
    const h = createHarness(instance, { policy: 'not json' });
    h.mocks.as
      .on(CompleteLifecycleActionCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }),
      );
    const { remainingMs: _r, ...deps } = h.deps;
    const run = module.createLaunchGateHandler(deps);
    const out = await run(
      {
        Records: [
          record('ok', { source: 'aws.autoscaling', detail: { Event: 'autoscaling:TEST_NOTIFICATION' } }),
          record('bad', launchEvent()),
        ],
      },
      lambdaContext(() => 60_000),
    );
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(h.log.entries.some((e) => e.message.startsWith('step failed'))).toBe(true);
  });

  it('runs a whole gate with the real Powertools Logger and Metrics (EMF) as sinks', async () => {
    const h = createHarness(instance);
    const { remainingMs: _r, ...deps } = h.deps;
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const metrics = createMetrics();
      const run = module.createLaunchGateHandler({
        ...deps,
        log: createLogger({ serviceName: 'healthgate-test' }),
        metrics: powertoolsRecorder(metrics),
      });
      let input: unknown = launchEvent();
      let out: unknown;
      for (let step = 0; step < 10; step++) {
        out = await run(
          input,
          lambdaContext(() => 60_000),
        );
        if ((out as { outcome?: string }).outcome !== 'scheduled') break;
        const next = h.scheduled[h.scheduled.length - 1]!;
        h.clock.advance(next.delaySeconds * 1000);
        input = next.step;
      }
      metrics.publishStoredMetrics();
      expect(out).toMatchObject({ outcome: 'decided', decision: { action: 'CONTINUE' } });
    } finally {
      spy.mockRestore();
    }
    const text = lines.join('');
    expect(text).toContain('lifecycle action completed');
    expect(text).toContain(`"tokenHash":"${tokenHash(TOKEN)}"`);
    expect(text).toContain('"Namespace":"HealthGate"');
    expect(text).not.toContain(TOKEN);
  });
});
