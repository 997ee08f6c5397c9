/** The health log's destination: lines held until a batch is full or old enough, written whole, never lost. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBatchedDestination } from '../../../app/batched-destination';
import { tempDir } from './helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function open(bytes: number, flushMs = 60_000) {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const file = path.join(dir, 'nested', 'health.log');
  const destination = createBatchedDestination({ file, bytes, flushMs });
  cleanups.unshift(() => destination.end());
  return { destination, read: () => readFile(file, 'utf8') };
}

describe('createBatchedDestination', () => {
  it('writes nothing until the held lines reach the batch size, then all of them in order', async () => {
    const { destination, read } = await open(30);
    destination.write('0123456789\n');
    destination.write('abcdefghij\n');
    expect(await read()).toBe('');
    destination.write('ABCDEFGHIJ\n');
    expect(await read()).toBe('0123456789\nabcdefghij\nABCDEFGHIJ\n');
  });

  it('counts bytes, not characters', async () => {
    const { destination, read } = await open(12);
    destination.write('ééééé\n'); // 11 bytes
    expect(await read()).toBe('');
    destination.write('\n');
    expect(await read()).toBe('ééééé\n\n');
  });

  it('writes what it holds every flush period', async () => {
    const { destination, read } = await open(1 << 20, 50);
    destination.write('one line\n');
    await expect.poll(read, { timeout: 2000 }).toBe('one line\n');
  });

  it('flushSync writes at once; end writes what is held, closes, and drops later lines', async () => {
    const { destination, read } = await open(1 << 20);
    destination.write('a\n');
    destination.flushSync();
    expect(await read()).toBe('a\n');
    destination.write('b\n');
    destination.end();
    expect(await read()).toBe('a\nb\n');
    expect(destination.write('c\n')).toBe(true);
    destination.flushSync();
    expect(await read()).toBe('a\nb\n');
  });
});
