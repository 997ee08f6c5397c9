import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgresOrSkipReason, type TestPostgres } from '../../support/postgres';
import { fileLoggers, get, silentServer, startApp, tempDir, testConfig, withToken } from './helpers';
import { deepHealthScenarios, migrateDb } from './scenarios';

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
    deepHealthScenarios(async () => {
      if (!server) throw new Error(skipReason);
      return { DATABASE_URL: await server.createDatabase() };
    });
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
