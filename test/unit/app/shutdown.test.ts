import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serve } from '../../../app/serve';
import { fakeProcess, fileLoggers, get, tempDir, testConfig, viaLb, withToken } from './helpers';
import { migrateDb } from './scenarios';

describe('graceful shutdown', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('on SIGTERM fails readiness first, lets an in-flight request finish, then exits 0', async () => {
    const { dir, cleanup } = await tempDir();
    const events: string[] = [];
    cleanups.push(cleanup);
    // A slow page is the in-flight request; it outlasts the drain window, so the server's close must wait for it.
    const config = testConfig(dir, { FAULT_HOME_DELAY_MS: '2500', SHUTDOWN_DRAIN_MS: '1000' });
    await migrateDb(config);
    const proc = fakeProcess();
    const logs = fileLoggers(dir);
    const served = await serve(config, {
      signals: proc.signals,
      // The main log is written synchronously when a response is sent, so reading it at exit tells whether the
      // in-flight request had been answered by then (the client may read its answer a moment later).
      exit: (code) => {
        const answered = readFileSync(path.join(dir, 'main.log'), 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as { url?: string; statusCode?: number })
          .some((l) => l.url === '/' && l.statusCode === 200);
        events.push(answered ? 'inflight answered' : 'inflight unanswered');
        proc.exit(code);
      },
      print: () => {},
      loggers: logs.loggers,
    });
    const port = (served.app.server.address() as { port: number }).port;

    // (The deep health itself fails here: the slow page outlasts the page check's timeout. Not this test's point.)
    const inflight = get(port, '/', viaLb);
    // Let the slow request reach its handler before the signal.
    await new Promise((resolve) => setTimeout(resolve, 100));
    proc.signals.emit('SIGTERM');
    const health = await get(port, '/health', withToken);
    events.push(`health ${health.status}`);
    expect(health.status).toBe(503);
    expect(health.json()).toEqual({ status: 'fail', output: 'shutting down' });
    // Liveness stays up while draining.
    expect((await get(port, '/health/live')).status).toBe(200);

    const code = await proc.exited;
    events.push(`exit ${code}`);
    const page = await inflight;
    expect(page.status).toBe(200);
    expect(page.body).toContain('Energy tariffs');
    expect(events).toEqual(['health 503', 'inflight answered', 'exit 0']);
    expect(proc.exits).toEqual([0]);
    await served.app.healthgate.database.close();
  });
});
