import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgresOrSkipReason, type TestPostgres } from '../../support/postgres';
import { fileLoggers, get, silentServer, startApp, tempDir, testConfig, withToken } from './helpers';
import { deepHealthScenarios, migrateDb } from './scenarios';
import { run } from './spawn';

let server: TestPostgres | undefined;
let skipReason: string | undefined;

beforeAll(async () => {
  ({ server, skipReason } = await startPostgresOrSkipReason());
  if (skipReason) {
    console.warn(`skipping PostgreSQL tests: ${skipReason}`);
  }
});
afterAll(async () => {
  await server?.stop();
});

type Health = { checks: Record<string, { status: string; output?: string; transient?: boolean }[]> };

describe('app on PostgreSQL', () => {
  describe('deep health', () => {
    deepHealthScenarios(
      async () => ({ DATABASE_URL: await (server as TestPostgres).createDatabase() }),
      () => (server ? undefined : skipReason),
    );
  });

  it('fails 503 within the check timeout when the server accepts and never answers', async (ctx) => {
    if (!server) ctx.skip(skipReason);
    const hung = await silentServer();
    const { dir, cleanup } = await tempDir();
    const config = testConfig(dir, {
      DATABASE_URL: `postgres://u:hung-password@127.0.0.1:${hung.port}/db`,
      DB_TIMEOUT_MS: '5000',
    });
    const app = await startApp(config, { loggers: fileLoggers(dir).loggers });
    try {
      const res = await get(app.port, '/health', withToken);
      expect(res.status).toBe(503);
      const body = res.json() as Health;
      expect(body.checks['database:responseTime']?.[0]).toMatchObject({
        status: 'fail',
        output: 'timed out after 1500 ms',
      });
      // Unreachable is transient: the gate keeps waiting rather than abandoning at once.
      expect(body.checks['database:responseTime']?.[0]?.transient).toBeUndefined();
      expect(res.body).not.toContain('hung-password');
    } finally {
      await hung.close();
      await app.close();
      await cleanup();
    }
  });

  it('npm run migrate applies the migrations to DATABASE_URL, then finds nothing to do', async (ctx) => {
    if (!server) ctx.skip(skipReason);
    const { dir, cleanup } = await tempDir();
    try {
      const env = { SECRET_KEY: 'k', DATABASE_URL: await (server as TestPostgres).createDatabase() };
      const first = run('app/cli/migrate.ts', [], env, dir);
      expect(await first.exited).toBe(0);
      expect(first.out()).toContain('applied migrations: 0001_create_tariffs, 0002_seed_tariffs');
      const second = run('app/cli/migrate.ts', [], env, dir);
      expect(await second.exited).toBe(0);
      expect(second.out()).toContain('migrations: up to date');
      expect(first.out() + first.err()).not.toContain('healthgate-test');
    } finally {
      await cleanup();
    }
    // Two cold tsx processes: generous on a loaded machine.
  }, 60_000);

  // Last: it stops the cluster.
  it('fails 503 once PostgreSQL is stopped', async (ctx) => {
    if (!server) ctx.skip(skipReason);
    const pgServer = server as TestPostgres;
    const { dir, cleanup } = await tempDir();
    const config = testConfig(dir, {
      DATABASE_URL: await pgServer.createDatabase(),
      HEALTH_CACHE_TTL_MS: '0',
    });
    await migrateDb(config);
    const app = await startApp(config, { loggers: fileLoggers(dir).loggers });
    try {
      expect((await get(app.port, '/health', withToken)).status).toBe(200);
      await pgServer.stop();
      const res = await get(app.port, '/health', withToken);
      expect(res.status).toBe(503);
      expect((res.json() as Health).checks['database:responseTime']?.[0]?.status).toBe('fail');
    } finally {
      await app.close();
      await cleanup();
    }
  });
});
