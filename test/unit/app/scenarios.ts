import { afterEach, expect, it, type TestContext } from 'vitest';
import { openConfiguredDatabase } from '../../../app/boot';
import type { AppConfig } from '../../../app/config';
import { createMigrator, migrateToLatest } from '../../../app/db/migrator';
import { fileLoggers, get, startApp, tempDir, testConfig, viaLb, withToken } from './helpers';

/** A fresh database for one test: env keys to reach it. */
export type FreshDatabase = () => Promise<Record<string, string>>;

/** Migrates `config`'s database to the latest migration, or up to `upTo` (inclusive). */
export async function migrateDb(config: AppConfig, upTo?: string): Promise<void> {
  const database = openConfiguredDatabase(config);
  try {
    const migrator = createMigrator(database.db);
    if (upTo) {
      const { error } = await migrator.migrateTo(upTo);
      if (error) throw error;
    } else {
      await migrateToLatest(migrator);
    }
  } finally {
    await database.close();
  }
}

type Health = {
  status: string;
  instanceId?: string;
  version?: string;
  checks: Record<string, Record<string, unknown>[]>;
};

/**
 * The deep health scenarios every database must pass; registers `it`s in the calling describe. A test is
 * skipped only when `skipReason` returns one (the caller decides; in CI it never does).
 */
export function deepHealthScenarios(
  freshDatabase: FreshDatabase,
  skipReason: () => string | undefined = () => undefined,
): void {
  const it_ = (name: string, fn: () => Promise<void>) =>
    it(name, async (ctx: TestContext) => {
      const reason = skipReason();
      if (reason !== undefined) ctx.skip(reason);
      await fn();
    });
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function boot(env: Record<string, string> = {}, upTo?: string) {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const config = testConfig(dir, {
      ...(await freshDatabase()),
      INSTANCE_ID: 'i-0123',
      APP_VERSION: '1.2.3',
      ...env,
    });
    await migrateDb(config, upTo);
    const app = await startApp(config, { loggers: fileLoggers(dir).loggers });
    cleanups.push(app.close);
    return app;
  }

  it_('passes with every check when configured, migrated and rendering', async () => {
    const app = await boot();
    const home = await get(app.port, '/', viaLb);
    expect(home.status).toBe(200);
    expect(home.body).toContain('Flexible Gas');
    const res = await get(app.port, '/health', withToken);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/health+json');
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json() as Health;
    expect(body).toMatchObject({ status: 'pass', instanceId: 'i-0123', version: '1.2.3' });
    expect(Object.keys(body.checks).sort()).toEqual([
      'configuration:keys',
      'database:responseTime',
      'homepage:status',
      'migrations:pending',
    ]);
    for (const entries of Object.values(body.checks)) {
      expect(entries[0]?.status).toBe('pass');
    }
  });

  it_('fails 503, non-transient, naming a pending migration', async () => {
    const app = await boot({}, '0001_create_tariffs');
    const res = await get(app.port, '/health', withToken);
    expect(res.status).toBe(503);
    const entry = (res.json() as Health).checks['migrations:pending']?.[0];
    expect(entry).toMatchObject({ status: 'fail', transient: false });
    expect(entry?.output).toContain('0002_seed_tariffs');
  });

  it_('fails 503 when the home page is broken', async () => {
    const app = await boot({ FAULT_BROKEN_HOME: '1' });
    expect((await get(app.port, '/', viaLb)).status).toBe(500);
    const res = await get(app.port, '/health', withToken);
    expect(res.status).toBe(503);
    // The database answers, so the page's failure is the build's own: waiting will not heal it.
    expect((res.json() as Health).checks['homepage:status']?.[0]).toMatchObject({
      status: 'fail',
      observedValue: 500,
      transient: false,
    });
  });

  it_('hides the details from callers without the token', async () => {
    const app = await boot({}, '0001_create_tariffs');
    const res = await get(app.port, '/health');
    expect(res.status).toBe(503);
    expect(res.json()).toEqual({ status: 'fail' });
    expect((await get(app.port, '/health', { 'x-health-token': 'wrong' })).json()).toEqual({
      status: 'fail',
    });
  });

  it_('runs the checks once for 200 concurrent /health requests during a slow check', async () => {
    // No cache: every answer comes from the run in flight, so one run proves single-flight, not caching.
    const app = await boot({ FAULT_HEALTH_DELAY_MS: '1500', HEALTH_CACHE_TTL_MS: '0' });
    const before = app.app.healthgate.runner.runs;
    const answers = await Promise.all(Array.from({ length: 200 }, () => get(app.port, '/health', withToken)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(app.app.healthgate.runner.runs - before).toBe(1);
  });
}
