import {
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../../sim';

let sim: Sim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const client = (s: Sim, maxAttempts = 1) =>
  new LambdaClient({
    endpoint: s.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  });

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const parse = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes)) as unknown;

describe('Lambda Invoke API', () => {
  it('RequestResponse → 200 with the payload; the handler sees a Lambda-like context', async () => {
    sim = await startSim({ seed: 1 });
    const seen: { name: string; id: string; remaining: number }[] = [];
    sim.functions.register(
      'echo',
      async (event: { n: number }, context: Context) => {
        seen.push({
          name: context.functionName,
          id: context.awsRequestId,
          remaining: context.getRemainingTimeInMillis(),
        });
        return { doubled: event.n * 2 };
      },
      { timeoutMs: 3000 },
    );
    const out = await client(sim).send(new InvokeCommand({ FunctionName: 'echo', Payload: json({ n: 21 }) }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(parse(out.Payload)).toEqual({ doubled: 42 });
    expect(seen[0]!.name).toBe('echo');
    expect(seen[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[0]!.remaining).toBeGreaterThan(2000);
    expect(seen[0]!.remaining).toBeLessThanOrEqual(3000);
  });

  it('accepts the function ARN and answers a thrown error as X-Amz-Function-Error: Unhandled', async () => {
    sim = await startSim({ seed: 2 });
    sim.functions.register('boom', async () => {
      throw new TypeError('kaput');
    });
    const out = await client(sim).send(
      new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:boom' }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(parse(out.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'kaput' });
  });

  it('unknown function → ResourceNotFoundException (404) as the SDK parses it', async () => {
    sim = await startSim({ seed: 3 });
    const error = await client(sim)
      .send(new InvokeCommand({ FunctionName: 'nope', InvocationType: 'Event' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect((error as ResourceNotFoundException).message).toBe(
      'Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope',
    );
    expect((error as ResourceNotFoundException).Type).toBe('User');
  });

  it('Event → 202 at once; the handler runs after', async () => {
    sim = await startSim({ seed: 4 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const runs: unknown[] = [];
    sim.functions.register('slow', async (event: unknown) => {
      await gate;
      runs.push(event);
    });
    const out = await client(sim).send(
      new InvokeCommand({ FunctionName: 'slow', InvocationType: 'Event', Payload: json({ a: 1 }) }),
    );
    expect(out.StatusCode).toBe(202);
    expect(runs).toEqual([]);
    release();
    await sim.functions.settle();
    expect(runs).toEqual([{ a: 1 }]);
  });

  it('enforces the timeout: a sync call answers Sandbox.Timedout; the late result is only recorded', async () => {
    sim = await startSim({ seed: 5 });
    sim.functions.register('sleepy', () => new Promise((resolve) => setTimeout(() => resolve('late'), 300)), {
      timeoutMs: 100,
    });
    const out = await client(sim).send(new InvokeCommand({ FunctionName: 'sleepy' }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(parse(out.Payload)).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringContaining('Task timed out after 0.10 seconds'),
    });
    const record = sim.functions.invocations[0]!;
    expect(record.outcome).toBe('timeout');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(record.lateSettledAt).toBeGreaterThan(record.endedAt!);
  });

  it('retries a failing async invocation twice with the same request id, then gives up', async () => {
    sim = await startSim({ seed: 6, lambdaDefaults: { retryDelaysMs: [10, 10] } });
    const ids: string[] = [];
    sim.functions.register('flaky', async (_e: unknown, context: Context) => {
      ids.push(context.awsRequestId);
      throw new Error('nope');
    });
    await client(sim).send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event' }));
    await sim.functions.settle();
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    expect(sim.functions.invocations.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'error'],
      [2, 'error'],
      [3, 'error'],
    ]);
  });

  it('retries are configurable and stop at the first success; timeouts count as errors', async () => {
    sim = await startSim({ seed: 7 });
    let calls = 0;
    sim.functions.register(
      'second-time-lucky',
      () => {
        calls++;
        return calls === 1 ? new Promise(() => undefined) : 'ok';
      },
      { timeoutMs: 50, maxRetryAttempts: 1, retryDelaysMs: [5] },
    );
    sim.functions.invokeAsync('second-time-lucky', {});
    await sim.functions.settle();
    expect(sim.functions.invocations.map((r) => r.outcome)).toEqual(['timeout', 'success']);
    expect(() => sim!.functions.register('x', () => 1, { maxRetryAttempts: 3 })).toThrow(/between 0 and 2/);
  });

  it('injected throttling answers TooManyRequestsException (429), which the SDK retries', async () => {
    sim = await startSim({ seed: 8 });
    sim.functions.register('ok', () => 'fine');
    sim.faults.set([{ service: 'lambda', throttleRate: 1 }]);
    const error = await client(sim)
      .send(new InvokeCommand({ FunctionName: 'ok' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyRequestsException);
    expect((error as TooManyRequestsException).$metadata.httpStatusCode).toBe(429);
    // At most two in a row for one SDK call (its retries share amz-sdk-invocation-id): the third attempt passes.
    sim.faults.set([{ service: 'lambda', throttleRate: 1, maxConsecutive: 2 }]);
    const before = sim.requests.entries({ service: 'lambda' }).length;
    const out = await client(sim, 3).send(new InvokeCommand({ FunctionName: 'ok' }));
    expect(parse(out.Payload)).toBe('fine');
    expect(
      sim.requests
        .entries({ service: 'lambda' })
        .slice(before)
        .map((e) => e.result),
    ).toEqual(['TooManyRequestsException', 'TooManyRequestsException', 'ok']);
  });

  it('runs one invocation per container at a time; a busy function gets a new container, made outside the timeout', async () => {
    sim = await startSim({ seed: 9 });
    const made: number[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    sim.functions.registerContainers(
      'pooled',
      async (index) => {
        made.push(index);
        // A slow init does not eat into the invocation's timeout.
        await new Promise((resolve) => setTimeout(resolve, 120));
        return async (event: { hold?: boolean }) => {
          if (event.hold) await held;
          return index;
        };
      },
      { timeoutMs: 100 },
    );
    const first = sim.functions.invoke('pooled', { hold: true });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const second = await sim.functions.invoke('pooled', {});
    expect(JSON.parse(second.payload)).toBe(1);
    expect(second.functionError).toBeUndefined();
    release();
    await first;
    // Container 0 timed out (held past 100 ms): it is discarded, so the next call reuses container 1.
    expect(JSON.parse((await sim.functions.invoke('pooled', {})).payload)).toBe(1);
    expect(made).toEqual([0, 1]);
    expect(sim.functions.invocations.map((r) => [r.container, r.outcome])).toEqual([
      [0, 'timeout'],
      [1, 'success'],
      [1, 'success'],
    ]);
  });

  it('an init failure is the invocation’s error; DryRun → 204; a malformed payload → InvalidRequestContentException', async () => {
    sim = await startSim({ seed: 10 });
    sim.functions.registerContainers('broken', () => {
      throw new Error('cannot load module');
    });
    const out = await client(sim).send(new InvokeCommand({ FunctionName: 'broken' }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(parse(out.Payload)).toMatchObject({ errorType: 'Runtime.InitError' });
    sim.functions.register('ok', () => 1);
    const dry = await client(sim).send(new InvokeCommand({ FunctionName: 'ok', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
    const bad = await fetch(`${sim.endpoint}/2015-03-31/functions/ok/invocations`, {
      method: 'POST',
      body: '{',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
  });
});
