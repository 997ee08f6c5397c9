import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLaunchGateHandler, handler, RESERVE_MS } from '../../../functions/launch-gate';
import { HandOverError, lambdaHandOver } from '../../../shared/aws';
import { createLogger, createMetrics, powertoolsRecorder, tokenHash } from '../../../shared/observability';
import {
  createHarness,
  type FakeInstance,
  GROUP,
  INSTANCE,
  launchEvent,
  startInstance,
  TOKEN,
} from './harness';

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
      handler(
        { source: 'aws.autoscaling', detail: { Event: 'autoscaling:TEST_NOTIFICATION' } } as never,
        context,
      ),
    ).resolves.toMatchObject({ outcome: 'ignored' });
    await expect(handler({ source: 'nope' } as never, context)).resolves.toMatchObject({
      outcome: 'invalid',
    });
  });

  it('hands over by an async Invoke of context.functionName with the continuation as payload', async () => {
    const h = createHarness(instance);
    const lambda = new LambdaClient({});
    const lambdaMock = mockClient(lambda);
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    const { handOver: _unused, remainingMs: _r, ...deps } = h.deps;
    const run = createLaunchGateHandler({ ...deps, lambda });
    // The runtime's remaining time, less the reserve, falls short of one round after two probes.
    const endAt = h.clock.now() + 14_000 + RESERVE_MS;
    const out = await run(
      launchEvent(),
      lambdaContext(() => endAt - h.clock.now(), 'gate-fn'),
    );

    expect(out).toEqual({ outcome: 'handed-over', phase: 'gate' });
    const calls = lambdaMock.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'gate-fn', InvocationType: 'Event' });
    const payload = JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array));
    expect(payload).toMatchObject({
      healthgate: 'continuation',
      phase: 'gate',
      action: { group: GROUP, token: TOKEN, instanceId: INSTANCE },
      state: { probes: 2, handovers: 1 },
    });
  });

  it('runs a whole gate with the real Powertools Logger and Metrics (EMF) as sinks', async () => {
    const h = createHarness(instance);
    const lambda = new LambdaClient({});
    const { handOver: _unused, remainingMs: _r, ...deps } = h.deps;
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const logged = vi.spyOn(console, 'info');
    try {
      const metrics = createMetrics();
      const run = createLaunchGateHandler({
        ...deps,
        lambda,
        log: createLogger({ serviceName: 'healthgate-test' }),
        metrics: powertoolsRecorder(metrics),
      });
      const out = await run(
        launchEvent(),
        lambdaContext(() => 900_000),
      );
      metrics.publishStoredMetrics();
      expect(out).toMatchObject({ outcome: 'decided', decision: { action: 'CONTINUE' } });
    } finally {
      spy.mockRestore();
      logged.mockRestore();
    }
    const text = lines.join('');
    expect(text).toContain('lifecycle action completed');
    expect(text).toContain(`"tokenHash":"${tokenHash(TOKEN)}"`);
    expect(text).toContain('"Namespace":"HealthGate"');
    expect(text).not.toContain(TOKEN);
  });
});

describe('lambdaHandOver', () => {
  it('fails (so the gate fails closed) when Lambda does not queue the invocation', async () => {
    const lambda = new LambdaClient({});
    const lambdaMock = mockClient(lambda);
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200 });
    await expect(lambdaHandOver(lambda, 'fn').handOver({ a: 1 })).rejects.toBeInstanceOf(HandOverError);
    lambdaMock.on(InvokeCommand).rejects(new Error('AccessDenied'));
    await expect(lambdaHandOver(lambda, 'fn').handOver({ a: 1 })).rejects.toThrow(/could not invoke fn/);
  });
});
