/**
 * The parent watchdog: an instance process exits when the run that started it dies, however it dies (here
 * SIGKILL, which no exit hook sees), because the kernel closes the instance's stdin pipe.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Running, not merely a zombie waiting for a reaper that a container's init may never be. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

// The parent: starts an "instance" holding the watchdog, reports its pid, then waits to be killed.
const PARENT = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['--import', 'tsx', '-e',
  "import('./sim/fleet/parent-watchdog.ts').then((m) => { m.exitWithParent(); setInterval(() => {}, 1000); })"],
  { stdio: ['pipe', 'ignore', 'ignore'] });
process.stdout.write(String(child.pid) + '\\n');
setInterval(() => {}, 1000);
`;

describe('parent watchdog', () => {
  it('an instance process exits when its parent is SIGKILLed', async () => {
    const parent = spawn(process.execPath, ['-e', PARENT], { stdio: ['ignore', 'pipe', 'inherit'] });
    const childPid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      parent.once('error', reject);
    });
    try {
      // Let the child load the watchdog before its parent dies.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(alive(childPid)).toBe(true);
      parent.kill('SIGKILL');
      const until = Date.now() + 10_000;
      while (alive(childPid) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(alive(childPid)).toBe(false);
    } finally {
      if (alive(childPid)) process.kill(childPid, 'SIGKILL');
      parent.kill('SIGKILL');
    }
  }, 20_000);
});
