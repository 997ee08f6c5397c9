import { describe, expect, it } from 'vitest';
import {
  createHealthRunner,
  databaseCheck,
  type HealthCheck,
  migrationsCheck,
  pageRendersCheck,
  requiredConfigCheck,
} from '../../../shared/health';

async function entryOf(check: HealthCheck) {
  const { body } = await createHealthRunner({ checks: [check] }).report();
  const entry = body.checks?.[check.name]?.[0];
  expect(entry).toBeDefined();
  return entry!;
}

describe('requiredConfigCheck', () => {
  it('passes when every key is set', async () => {
    const check = requiredConfigCheck({ keys: ['A', 'B'], env: { A: '1', B: 'x' } });
    expect(check).toMatchObject({ name: 'configuration:keys', componentType: 'component', transient: false });
    expect(await entryOf(check)).toMatchObject({ status: 'pass', observedValue: 0 });
  });

  it('names missing and blank keys, never a value, and is non-transient', async () => {
    const env = {
      DATABASE_URL: 'postgres://u:s3cret-pw@db/x',
      SESSION_SECRET: '  ',
      PRESENT: 'visible-value',
    };
    const check = requiredConfigCheck({
      keys: ['DATABASE_URL', 'SESSION_SECRET', 'API_TOKEN', 'PRESENT'],
      env,
    });
    const entry = await entryOf(check);
    expect(entry).toMatchObject({
      status: 'fail',
      observedValue: 2,
      transient: false,
      output: 'missing required configuration: SESSION_SECRET, API_TOKEN',
    });
    expect(JSON.stringify(entry)).not.toMatch(/s3cret-pw|visible-value/);
  });
});

describe('databaseCheck', () => {
  it('passes with the response time in ms', async () => {
    let t = 100;
    const check = databaseCheck({
      ping: async () => {
        t += 12.5;
      },
      now: () => t,
    });
    expect(check).toMatchObject({
      name: 'database:responseTime',
      componentType: 'datastore',
      transient: true,
    });
    expect(await entryOf(check)).toMatchObject({ status: 'pass', observedValue: 12.5, observedUnit: 'ms' });
  });

  it('fails transiently on a rejected ping without leaking the connection string', async () => {
    const check = databaseCheck({
      name: 'replica:responseTime',
      ping: async () => {
        throw new Error(
          'connection to postgresql://app:pa55word@db.internal:5432/prod refused; password=pa55word',
        );
      },
    });
    const entry = await entryOf(check);
    expect(entry.status).toBe('fail');
    expect(entry).not.toHaveProperty('transient');
    expect(entry.output).toContain('refused');
    expect(JSON.stringify(entry)).not.toMatch(/pa55word|db\.internal|postgresql:/);
  });

  it('fails when the ping hangs, and the ping sees the abort', async () => {
    let aborted = false;
    const check = databaseCheck({
      timeoutMs: 20,
      ping: (signal) =>
        new Promise<void>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason);
          });
        }),
    });
    expect(await entryOf(check)).toMatchObject({ status: 'fail', output: 'timed out after 20 ms' });
    expect(aborted).toBe(true);
  });
});

describe('migrationsCheck', () => {
  it('passes with none pending', async () => {
    const check = migrationsCheck({ pending: async () => [] });
    expect(check).toMatchObject({ name: 'migrations:pending', componentType: 'datastore' });
    expect(await entryOf(check)).toMatchObject({ status: 'pass', observedValue: 0 });
  });

  it('names pending migrations, non-transient', async () => {
    const check = migrationsCheck({ pending: async () => ['0002_add_accounts', '0003_index_meters'] });
    expect(await entryOf(check)).toMatchObject({
      status: 'fail',
      transient: false,
      observedValue: 2,
      output: 'pending migrations: 0002_add_accounts, 0003_index_meters',
    });
  });

  it('caps a long list', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `m${i}`);
    const entry = await entryOf(migrationsCheck({ pending: async () => names }));
    expect(entry.output).toMatch(/m19 and 5 more$/);
    expect(entry.observedValue).toBe(25);
  });

  it('a failure to list them is transient', async () => {
    const check = migrationsCheck({
      pending: async () => {
        throw new Error('ECONNREFUSED');
      },
    });
    const entry = await entryOf(check);
    expect(entry).toMatchObject({ status: 'fail', output: 'cannot list migrations: ECONNREFUSED' });
    expect(entry).not.toHaveProperty('transient');
  });
});

describe('pageRendersCheck', () => {
  const headers = { host: 'www.example.com', 'x-forwarded-proto': 'https' };

  it('passes on the expected status and text, sending the given headers', async () => {
    const seen: unknown[] = [];
    const check = pageRendersCheck({
      headers,
      expectText: 'Welcome',
      inject: async (req) => {
        seen.push(req);
        return { statusCode: 200, body: '<h1>Welcome</h1>' };
      },
    });
    expect(check).toMatchObject({ name: 'homepage:status', componentType: 'component', transient: true });
    expect(await entryOf(check)).toMatchObject({ status: 'pass', observedValue: 200 });
    expect(seen).toEqual([{ method: 'GET', url: '/', headers, signal: expect.any(AbortSignal) }]);
  });

  it('fails on a wrong status without echoing the body', async () => {
    const check = pageRendersCheck({
      path: '/tariffs',
      inject: async () => ({ statusCode: 500, body: 'Traceback: secret internals' }),
    });
    const entry = await entryOf(check);
    expect(entry).toMatchObject({ status: 'fail', output: 'GET /tariffs answered 500, expected 200' });
    expect(entry).not.toHaveProperty('transient');
    expect(JSON.stringify(entry)).not.toContain('internals');
  });

  it('hints at the headers on a redirect, and can be declared non-transient', async () => {
    const check = pageRendersCheck({ transient: false, inject: async () => ({ statusCode: 301 }) });
    const entry = await entryOf(check);
    expect(entry.output).toMatch(/answered 301, expected 200 \(a redirect/);
    expect(entry.transient).toBe(false);
  });

  it('reports its failure as non-transient while its dependencies answer, transient while they do not', async () => {
    const broken = async () => ({ statusCode: 500 });
    const healthy = pageRendersCheck({ inject: broken, dependenciesHealthy: async () => true });
    expect(await entryOf(healthy)).toMatchObject({
      status: 'fail',
      output: 'GET / answered 500, expected 200, while its dependencies answer',
      transient: false,
    });
    const down = pageRendersCheck({ inject: broken, dependenciesHealthy: async () => false });
    expect(await entryOf(down)).not.toHaveProperty('transient');
    const unknown = pageRendersCheck({
      inject: broken,
      dependenciesHealthy: async () => {
        throw new Error('ECONNREFUSED');
      },
    });
    expect(await entryOf(unknown)).not.toHaveProperty('transient');
    let asked = 0;
    const passing = pageRendersCheck({
      inject: async () => ({ statusCode: 200 }),
      dependenciesHealthy: async () => {
        asked += 1;
        return true;
      },
    });
    expect(await entryOf(passing)).toMatchObject({ status: 'pass' });
    expect(asked).toBe(0);
  });

  it('fails when the expected text is missing, or inject throws', async () => {
    const missing = pageRendersCheck({
      expectText: 'Welcome',
      inject: async () => ({ statusCode: 200, body: 'x' }),
    });
    expect(await entryOf(missing)).toMatchObject({ status: 'fail', output: 'GET / lacks the expected text' });
    const throwing = pageRendersCheck({
      inject: async () => {
        throw new Error('template error');
      },
    });
    expect(await entryOf(throwing)).toMatchObject({ status: 'fail', output: 'template error' });
  });
});
