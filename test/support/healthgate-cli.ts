/** The `healthgate` command as a process, for tests of the command line end to end. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(import.meta.dirname, '../../bin/healthgate.mjs');

/** What a finished command said. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment every command runs with: the test's, loopback only, no instance metadata. */
const baseEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  ...process.env,
  AWS_EC2_METADATA_DISABLED: 'true',
  NO_COLOR: '1',
  ...extra,
});

/**
 * Runs `healthgate ARGS` to its end (killed by its pid after `timeoutMs`).
 *
 * @example
 * const { code, stderr } = await runHealthgate(['rehearse', '--bogus']);
 */
export function runHealthgate(
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: baseEnv(options.env ?? {}),
    cwd: options.cwd ?? path.resolve(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running `healthgate` (the sim): its first JSON line on stdout, and a stop by its pid. */
export interface CliServer {
  child: ChildProcess;
  ready: Record<string, unknown>;
  output: () => string;
  /** SIGINT, then SIGKILL if it has not exited within `graceMs`. Resolves with its exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts `healthgate ARGS` and waits for its first line of JSON on stdout. */
export function startHealthgate(
  args: readonly string[],
  options: { env?: Record<string, string>; readyTimeoutMs?: number } = {},
): Promise<CliServer> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: baseEnv(options.env ?? {}),
    cwd: path.resolve(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`healthgate ${args.join(' ')} was not ready in time:\n${output}`));
    }, options.readyTimeoutMs ?? 90_000);
    let buffered = '';
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    child.stdout.on('data', (c: Buffer) => {
      const text = c.toString('utf8');
      output += text;
      buffered += text;
      for (const line of buffered.split('\n').slice(0, -1)) {
        if (!line.startsWith('{')) continue;
        clearTimeout(timer);
        buffered = '';
        resolve({
          child,
          ready: JSON.parse(line) as Record<string, unknown>,
          output: () => output,
          async stop(graceMs = 15_000) {
            if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
            child.kill('SIGINT');
            const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
            const code = await exited;
            clearTimeout(killer);
            return code;
          },
        });
        return;
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`healthgate ${args.join(' ')} exited (${code}) before it was ready:\n${output}`));
    });
  });
}
