import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseCheck, migrationsCheck, pageRendersCheck } from '../../../shared/health';
import { type Answer, fileLoggers, get, startApp, tempDir, testConfig, withToken } from './helpers';
import { migrateDb } from './scenarios';
import { holdSqliteLock } from './sqlite-lock-holder';

type Entry = { status: string; output?: string };
type Health = { status: string; checks: Record<string, Entry[]> };

// The app's deep health runs these three checks with their default timeouts (plus the instant config check).
const SLOWEST_CHECK_MS = Math.max(
  databaseCheck({ ping: async () => {} }).timeoutMs,
  migrationsCheck({ pending: async () => [] }).timeoutMs,
  pageRendersCheck({ inject: async () => ({ statusCode: 200 }) }).timeoutMs,
);
// Loose on a shared two-core machine, yet far below the ~30 s the event loop was once blocked for.
const MARGIN_MS = 1500;
const LIVE_MS = 200;

describe('SQLite locked by another process', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A migrated database whose file a second process then locks, and the app started on it. */
  async function lockedApp(env: Record<string, string> = {}) {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const config = testConfig(dir, { HEALTH_CACHE_TTL_MS: '0', ...env });
    await migrateDb(config);
    const holder = await holdSqliteLock(config.sqlitePath);
    cleanups.push(holder.release);
    const app = await startApp(config, { loggers: fileLoggers(dir).loggers });
    cleanups.push(app.close);
    return { app, holder };
  }

  /** GET that also says how long it took. */
  async function timedGet(port: number, path: string, headers: Record<string, string> = {}) {
    const started = performance.now();
    const answer = await get(port, path, headers);
    return { answer, ms: performance.now() - started };
  }

  const checksOf = (answer: Answer) => (answer.json() as Health).checks;

  it('fails /health in time, naming the database check, with /health/live instant meanwhile; passes once released', async () => {
    const { app, holder } = await lockedApp();

    let healthDone = false;
    const health = timedGet(app.port, '/health', withToken).finally(() => {
      healthDone = true;
    });
    // Asked while the deep health waits on the locked file: answered from the event loop alone.
    await sleep(300);
    const lives: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const live = await timedGet(app.port, '/health/live');
      expect(live.answer.status).toBe(200);
      lives.push(live.ms);
    }
    expect(healthDone, 'the /health/live probes ran while /health was in flight').toBe(false);
    expect(Math.max(...lives)).toBeLessThan(LIVE_MS);

    const { answer, ms } = await health;
    expect(answer.status).toBe(503);
    const checks = checksOf(answer);
    expect(answer.json()).toMatchObject({ status: 'fail' });
    // The ping reads the file, so it cannot pass from a cached schema while the lock is held.
    expect(checks['database:responseTime']?.[0]).toMatchObject({
      status: 'fail',
      output: `timed out after ${databaseCheck({ ping: async () => {} }).timeoutMs} ms`,
    });
    expect(checks['homepage:status']?.[0]?.status).toBe('fail');
    expect(checks['migrations:pending']?.[0]?.status).toBe('fail');
    expect(ms).toBeLessThan(SLOWEST_CHECK_MS + MARGIN_MS);

    await holder.release();
    let last: Answer | undefined;
    for (let i = 0; i < 40 && last?.status !== 200; i += 1) {
      if (last !== undefined) await sleep(250);
      last = await get(app.port, '/health', withToken);
    }
    expect(last?.status, last?.body).toBe(200);
    expect(checksOf(last!)['database:responseTime']?.[0]?.status).toBe('pass');
  });

  it('fails the database check with a database reason, not a timeout, when DB_TIMEOUT_MS is the shorter', async () => {
    const { app } = await lockedApp({ DB_TIMEOUT_MS: '300' });
    const { answer, ms } = await timedGet(app.port, '/health', withToken);
    expect(answer.status).toBe(503);
    // SQLITE_BUSY when the ping had the connection first, else the wait for it behind another check's query.
    expect(checksOf(answer)['database:responseTime']?.[0]).toMatchObject({
      status: 'fail',
      output: expect.stringMatching(/^(database is locked|SQLite connection stayed busy for 300 ms)$/),
    });
    expect(ms).toBeLessThan(SLOWEST_CHECK_MS + MARGIN_MS);
  });
});
