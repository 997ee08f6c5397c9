import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CheckOutcome,
  createHealthRunner,
  type HealthCheck,
  HealthCheckTimeoutError,
  HealthConfigError,
} from '../../../shared/health';

function check(name: string, run: HealthCheck['run'], extra: Partial<HealthCheck> = {}): HealthCheck {
  return { name, componentType: 'component', transient: true, timeoutMs: 1000, run, ...extra };
}

const returns =
  (outcome: CheckOutcome): HealthCheck['run'] =>
  async () =>
    outcome;

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('createHealthRunner', () => {
  it('an empty check list passes', async () => {
    const runner = createHealthRunner({ checks: [] });
    await expect(runner.report()).resolves.toEqual({ body: { status: 'pass', checks: {} }, httpStatus: 200 });
  });

  it('builds the body: identity, entries with time, aggregate status and 503 on fail', async () => {
    const runner = createHealthRunner({
      checks: [
        check('database:responseTime', returns({ status: 'pass', observedValue: 3, observedUnit: 'ms' }), {
          componentType: 'datastore',
        }),
        check(
          'migrations:pending',
          returns({ status: 'fail', transient: false, output: 'pending migrations: 002' }),
        ),
        check('cache:hitRate', returns({ status: 'warn', output: 'low' })),
      ],
      identity: { version: '1.0.0', releaseId: 'r1', serviceId: 'web', instanceId: 'i-0abc' },
      now: () => Date.parse('2024-05-01T12:00:00.000Z'),
    });
    const { body, httpStatus } = await runner.report();
    expect(httpStatus).toBe(503);
    expect(body).toEqual({
      status: 'fail',
      version: '1.0.0',
      releaseId: 'r1',
      serviceId: 'web',
      instanceId: 'i-0abc',
      checks: {
        'database:responseTime': [
          {
            status: 'pass',
            componentType: 'datastore',
            observedValue: 3,
            observedUnit: 'ms',
            time: '2024-05-01T12:00:00.000Z',
          },
        ],
        'migrations:pending': [
          {
            status: 'fail',
            componentType: 'component',
            time: '2024-05-01T12:00:00.000Z',
            output: 'pending migrations: 002',
            transient: false,
          },
        ],
        'cache:hitRate': [
          { status: 'warn', componentType: 'component', time: '2024-05-01T12:00:00.000Z', output: 'low' },
        ],
      },
    });
  });

  it('marks transient:false only on failures of non-transient checks', async () => {
    const runner = createHealthRunner({
      checks: [
        check('a:fail', returns({ status: 'fail', output: 'x' }), { transient: false }),
        check('b:fail', returns({ status: 'fail', output: 'x' }), { transient: true }),
        check('c:warn', returns({ status: 'warn', output: 'x' }), { transient: false }),
        check('d:override', returns({ status: 'fail', output: 'x', transient: true }), { transient: false }),
      ],
    });
    const { body } = await runner.report();
    expect(body.checks?.['a:fail']?.[0]?.transient).toBe(false);
    expect(body.checks?.['b:fail']?.[0]).not.toHaveProperty('transient');
    expect(body.checks?.['c:warn']?.[0]).not.toHaveProperty('transient');
    expect(body.checks?.['d:override']?.[0]).not.toHaveProperty('transient');
  });

  it('runs checks in parallel', async () => {
    const started: string[] = [];
    const gate = deferred();
    const waiter = (name: string) =>
      check(name, async () => {
        started.push(name);
        await gate.promise;
        return { status: 'pass' };
      });
    const runner = createHealthRunner({ checks: [waiter('a:x'), waiter('b:x')] });
    const pending = runner.report();
    await expect.poll(() => started.length).toBe(2);
    gate.resolve();
    expect((await pending).body.status).toBe('pass');
  });

  it('fails a hung check with "timed out after N ms" and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const runner = createHealthRunner({
      checks: [
        check(
          'database:responseTime',
          (signal) => {
            seen = signal;
            return new Promise<CheckOutcome>(() => {}); // never settles
          },
          { timeoutMs: 20 },
        ),
        check('ok:x', returns({ status: 'pass' })),
      ],
    });
    const { body, httpStatus } = await runner.report();
    expect(httpStatus).toBe(503);
    expect(body.checks?.['database:responseTime']?.[0]).toMatchObject({
      status: 'fail',
      output: 'timed out after 20 ms',
    });
    expect(body.checks?.['ok:x']?.[0]?.status).toBe('pass');
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(HealthCheckTimeoutError);
  });

  it('turns a throwing check into a sanitised failure', async () => {
    const runner = createHealthRunner({
      checks: [
        check('db:x', async () => {
          throw new Error(
            'connect to postgres://admin:topsecret@10.0.0.5/prod failed\n    at Socket.connect',
          );
        }),
        check('sync:x', () => {
          throw new Error('password=hunter22 rejected');
        }),
        check('odd:x', async () => ({ status: 'great' }) as unknown as CheckOutcome),
      ],
      secrets: ['literal-secret'],
    });
    const { body } = await runner.report();
    const text = JSON.stringify(body);
    for (const forbidden of ['topsecret', 'admin', '10.0.0.5', 'hunter22', 'Socket.connect', ' at ']) {
      expect(text).not.toContain(forbidden);
    }
    expect(body.checks?.['db:x']?.[0]).toMatchObject({
      status: 'fail',
      output: 'connect to [redacted] failed',
    });
    expect(body.checks?.['sync:x']?.[0]).toMatchObject({
      status: 'fail',
      output: 'password=[redacted] rejected',
    });
    expect(body.checks?.['odd:x']?.[0]).toMatchObject({
      status: 'fail',
      output: 'check returned no valid status',
    });
  });

  it('sanitises outputs that checks return themselves, and redacts configured literals', async () => {
    const runner = createHealthRunner({
      checks: [check('a:x', returns({ status: 'warn', output: 'token is literal-secret-123' }))],
      secrets: ['literal-secret-123'],
    });
    const { body } = await runner.report();
    expect(body.checks?.['a:x']?.[0]?.output).toBe('token is [redacted]');
  });

  it('single-flight: concurrent callers share one run', async () => {
    const gate = deferred();
    let calls = 0;
    const runner = createHealthRunner({
      cacheTtlMs: 0,
      checks: [
        check('slow:x', async () => {
          calls += 1;
          await gate.promise;
          return { status: 'pass' };
        }),
      ],
    });
    const reports = Array.from({ length: 50 }, () => runner.report());
    gate.resolve();
    const results = await Promise.all(reports);
    expect(new Set(results).size).toBe(1);
    expect(runner.runs).toBe(1);
    expect(calls).toBe(1);
    // With caching disabled, the next call runs again.
    await runner.report();
    expect(runner.runs).toBe(2);
  });

  it('caches for the TTL on the injected clock, then runs again', async () => {
    let clock = 1_000_000;
    const runner = createHealthRunner({
      cacheTtlMs: 1000,
      now: () => clock,
      checks: [check('a:x', returns({ status: 'pass' }))],
    });
    const first = await runner.report();
    clock += 999;
    expect(await runner.report()).toBe(first);
    expect(runner.runs).toBe(1);
    clock += 1;
    expect(await runner.report()).not.toBe(first);
    expect(runner.runs).toBe(2);
    clock -= 10_000; // a clock that went backwards does not freeze the cache
    await runner.report();
    expect(runner.runs).toBe(3);
  });

  it('cached() gives the fresh report without running anything, and nothing before or after the TTL', async () => {
    let clock = 5_000;
    const runner = createHealthRunner({
      cacheTtlMs: 1000,
      now: () => clock,
      checks: [check('a:x', returns({ status: 'pass' }))],
    });
    expect(runner.cached?.()).toBeUndefined();
    const report = await runner.report();
    clock += 999;
    expect(runner.cached?.()).toBe(report);
    clock += 1;
    expect(runner.cached?.()).toBeUndefined();
    expect(runner.runs).toBe(1);
    const uncached = createHealthRunner({ cacheTtlMs: 0, checks: [] });
    await uncached.report();
    expect(uncached.cached?.()).toBeUndefined();
  });

  it('a rejected run is shared by its callers but never cached', async () => {
    let fail = true;
    const runner = createHealthRunner({
      checks: [check('a:x', returns({ status: 'pass' }))],
      identity: () => {
        if (fail) {
          throw new Error('identity unavailable');
        }
        return { instanceId: 'i-0abc' };
      },
    });
    const both = [runner.report(), runner.report()];
    await expect(both[0]).rejects.toThrow('identity unavailable');
    await expect(both[1]).rejects.toThrow('identity unavailable');
    expect(runner.runs).toBe(1);
    fail = false;
    const { body } = await runner.report();
    expect(body.instanceId).toBe('i-0abc');
    expect(runner.runs).toBe(2);
  });

  it('reads the identity function at each run (instance id discovered after boot)', async () => {
    let instanceId: string | undefined;
    const runner = createHealthRunner({ cacheTtlMs: 0, checks: [], identity: async () => ({ instanceId }) });
    expect((await runner.report()).body).not.toHaveProperty('instanceId');
    instanceId = 'i-0late';
    expect((await runner.report()).body.instanceId).toBe('i-0late');
  });

  it('serves a frozen report: one caller cannot alter the next one', async () => {
    const runner = createHealthRunner({ checks: [check('a:x', returns({ status: 'pass' }))] });
    const { body } = await runner.report();
    expect(() => {
      (body as { status: string }).status = 'fail';
    }).toThrow(TypeError);
  });

  it('rejects bad declarations at setup', () => {
    expect(() => createHealthRunner({ checks: [check('', returns({ status: 'pass' }))] })).toThrow(
      HealthConfigError,
    );
    expect(() =>
      createHealthRunner({ checks: [check('a:x', returns({ status: 'pass' }), { timeoutMs: 0 })] }),
    ).toThrow(HealthConfigError);
    expect(() => createHealthRunner({ checks: [], cacheTtlMs: -1 })).toThrow(HealthConfigError);
  });
});

describe('runner properties', () => {
  it('status, HTTP status and transient marks follow the outcomes', async () => {
    const spec = fc.record({
      status: fc.constantFrom('pass', 'warn', 'fail' as const),
      declared: fc.boolean(),
      override: fc.option(fc.boolean(), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { maxLength: 8 }), async (specs) => {
        const runner = createHealthRunner({
          checks: specs.map((s, i) =>
            check(`c${i}:x`, returns({ status: s.status, output: 'o', transient: s.override }), {
              transient: s.declared,
            }),
          ),
        });
        const { body, httpStatus } = await runner.report();
        const statuses = specs.map((s) => s.status);
        const worst = statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'pass';
        expect(body.status).toBe(worst);
        expect(httpStatus).toBe(worst === 'fail' ? 503 : 200);
        specs.forEach((s, i) => {
          const entry = body.checks?.[`c${i}:x`]?.[0];
          const permanent = s.status === 'fail' && !(s.override ?? s.declared);
          expect(entry?.transient).toBe(permanent ? false : undefined);
        });
      }),
      { numRuns: 200 },
    );
  });
});
