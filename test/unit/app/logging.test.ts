/** The health log is written in batches, and nothing buffered is lost when the process ends. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLoggers, HEALTH_LOG_BUFFER, openLogDestinations } from '../../../app/logging';
import { tempDir } from './helpers';
import { run } from './spawn';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const linesOf = async (file: string) =>
  (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');

describe('the health log destination', () => {
  it('holds lines until the batch is full or a flush period passed; the main log writes at once', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const files = { main: path.join(dir, 'main.log'), health: path.join(dir, 'health.log') };
    const loggers = createLoggers(
      openLogDestinations({ accessLogFile: files.main, healthLogFile: files.health }),
      'info',
    );
    loggers.health.info('probe 1');
    loggers.main.info('page');
    expect(await linesOf(files.main)).toHaveLength(1);
    expect(await linesOf(files.health)).toHaveLength(0);
    await expect
      .poll(() => linesOf(files.health), { timeout: HEALTH_LOG_BUFFER.flushMs * 3 })
      .toHaveLength(1);
    // A full batch is written at once.
    const filler = 'x'.repeat(200);
    const count = Math.ceil(HEALTH_LOG_BUFFER.bytes / filler.length) + 1;
    for (let i = 0; i < count; i += 1) loggers.health.info({ filler }, `probe ${i + 2}`);
    expect((await linesOf(files.health)).length).toBeGreaterThan(1);
  });

  it.each(['normal', 'exit', 'throw'])(
    'lines still buffered reach the file when the process ends (%s)',
    async (how) => {
      const { dir, cleanup } = await tempDir();
      cleanups.push(cleanup);
      const file = path.join(dir, 'health.log');
      const child = run(
        'test/unit/app/health-log-writer.ts',
        [],
        { HEALTH_LOG_FILE: file, COUNT: '5', EXIT: how },
        dir,
      );
      await child.exited;
      const lines = await linesOf(file);
      expect(lines).toHaveLength(5);
      expect(lines.map((l) => JSON.parse(l).i)).toEqual([0, 1, 2, 3, 4]);
    },
  );
});
