/**
 * Lambda's concurrency limits in the sim: a synchronous Invoke past a function's reserved concurrency or the
 * account's pool is answered 429 with Lambda's reason (through the real @aws-sdk/client-lambda); an asynchronous
 * one is kept and retried with a growing wait, without using its retries, until its maximum event age; every
 * throttle and every change of concurrency is recorded for benchmarks.
 */
import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../../../sim';

let sim: Sim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const client = (s: Sim) =>
  new LambdaClient({
    endpoint: s.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

/** A handler that holds every invocation until released. */
const holding = () => {
  const releases: (() => void)[] = [];
  let started = 0;
  return {
    handler: () =>
      new Promise<string>((resolve) => {
        started++;
        releases.push(() => resolve('done'));
      }),
    started: () => started,
    releaseAll: () => {
      for (const release of releases.splice(0)) release();
    },
  };
};

const until = async (probe: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('Lambda concurrency limits', () => {
  it('a sync Invoke past reserved concurrency → 429 TooManyRequestsException, ReservedFunctionConcurrentInvocationLimitExceeded', async () => {
    sim = await startSim({ seed: 1 });
    const fn = holding();
    sim.functions.register('gate', fn.handler, { reservedConcurrency: 2, timeoutMs: 5000 });
    const running = [sim.functions.invoke('gate', {}), sim.functions.invoke('gate', {})];
    await until(() => fn.started() === 2);
    const error = await client(sim)
      .send(new InvokeCommand({ FunctionName: 'gate', Payload: new TextEncoder().encode('{"third":true}') }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyRequestsException);
    const throttle = error as TooManyRequestsException;
    expect(throttle.$metadata.httpStatusCode).toBe(429);
    expect(throttle.Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(throttle.message).toBe('Rate Exceeded.');
    expect(sim.functions.throttles).toEqual([
      expect.objectContaining({
        functionName: 'gate',
        type: 'RequestResponse',
        reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
        event: { third: true },
      }),
    ]);
    fn.releaseAll();
    await Promise.all(running);
    // Freed: the next call runs.
    const ok = sim.functions.invoke('gate', {});
    await until(() => fn.started() === 3);
    fn.releaseAll();
    expect((await ok).functionError).toBeUndefined();
    const stats = sim.functions.stats('gate');
    expect(stats).toMatchObject({ invocations: 3, throttles: 1, peakConcurrency: 2, concurrent: 0 });
    expect(stats.durationsMs).toHaveLength(3);
    expect(stats.billedMs).toBeGreaterThanOrEqual(3);
    expect(Math.max(...sim.functions.concurrencySamples('gate').map((s) => s.running))).toBe(2);
  });

  it('the account pool: unreserved functions share what reservations leave; a reservation may not leave less than the minimum', async () => {
    sim = await startSim({ seed: 2, lambdaConcurrency: { account: 4, minimumUnreserved: 1 } });
    const a = holding();
    const b = holding();
    sim.functions.register('a', a.handler, { timeoutMs: 5000 });
    sim.functions.register('b', b.handler, { timeoutMs: 5000 });
    sim.functions.register('reserved', () => 'r', { reservedConcurrency: 2 });
    const running = [sim.functions.invoke('a', {}), sim.functions.invoke('b', {})];
    await until(() => a.started() + b.started() === 2);
    const error = await client(sim)
      .send(new InvokeCommand({ FunctionName: 'a' }))
      .catch((e: unknown) => e);
    expect((error as TooManyRequestsException).Reason).toBe('ConcurrentInvocationLimitExceeded');
    // The reservation's own capacity is still there.
    expect((await sim.functions.invoke('reserved', {})).payload).toBe('"r"');
    expect(() => sim!.functions.setReservedConcurrency('a', 2)).toThrow(
      "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [1].",
    );
    a.releaseAll();
    b.releaseAll();
    await Promise.all(running);
    // Two unreserved and one reserved ran at once.
    expect(sim.functions.stats()).toMatchObject({ throttles: 1, peakConcurrency: 3 });
  });

  it('Lambda’s defaults: 1000 for the account, at least 100 unreserved; reserved concurrency 0 throttles everything', async () => {
    sim = await startSim({ seed: 3 });
    expect(() => sim!.functions.register('big', () => 1, { reservedConcurrency: 901 })).toThrow(
      /minimum value of \[100\]/,
    );
    sim.functions.register('off', () => 1, { reservedConcurrency: 0 });
    await expect(sim.functions.invoke('off', {})).rejects.toMatchObject({
      code: 'TooManyRequestsException',
      reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    });
    expect(sim.functions.stats('off').invocations).toBe(0);
  });

  it('a throttled async invocation is kept and retried with a growing wait, its retries untouched', async () => {
    sim = await startSim({ seed: 4 });
    const fn = holding();
    let calls = 0;
    sim.functions.register(
      'one-at-a-time',
      async (event: { hold?: boolean }) => {
        calls++;
        if (event.hold) return fn.handler();
        // The queued event fails once: its first retry is still there after the throttles.
        if (calls === 2) throw new Error('once');
        return 'ok';
      },
      {
        reservedConcurrency: 1,
        throttleRetryMs: { initial: 20, max: 80 },
        retryDelaysMs: [10],
        timeoutMs: 5000,
      },
    );
    const held = sim.functions.invoke('one-at-a-time', { hold: true });
    await until(() => fn.started() === 1);
    const { requestId } = sim.functions.invokeAsync('one-at-a-time', { queued: true });
    await until(() => sim!.functions.throttles.length >= 3);
    expect(calls).toBe(1);
    fn.releaseAll();
    await held;
    await sim.functions.settle();
    const throttles = sim.functions.throttles.filter((t) => t.requestId === requestId);
    expect(throttles.length).toBeGreaterThanOrEqual(3);
    expect(throttles.every((t) => t.type === 'Event')).toBe(true);
    // Waits grow: 20, 40, 80, 80 … ms between throttles.
    const gaps = throttles.slice(1).map((t, i) => t.time - throttles[i]!.time);
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[1]!).toBeGreaterThanOrEqual(gaps[0]! * 1.5);
    const attempts = sim.functions.invocations.filter((r) => r.requestId === requestId);
    expect(attempts.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'error'],
      [2, 'success'],
    ]);
  });

  it('a throttled async invocation older than its maximum event age is dropped, never run', async () => {
    sim = await startSim({ seed: 5 });
    sim.functions.register('closed', () => 'never', {
      reservedConcurrency: 0,
      maxEventAgeMs: 150,
      throttleRetryMs: { initial: 20, max: 40 },
    });
    const { requestId } = sim.functions.invokeAsync('closed', { x: 1 });
    await sim.functions.settle();
    expect(sim.functions.invocations).toEqual([]);
    expect(sim.functions.expired).toEqual([
      expect.objectContaining({ requestId, functionName: 'closed', attempts: 1 }),
    ]);
    expect(sim.functions.stats('closed')).toMatchObject({
      throttles: expect.any(Number),
      expired: 1,
      invocations: 0,
    });
    expect(sim.functions.stats('closed').throttles).toBeGreaterThanOrEqual(3);
  });
});
