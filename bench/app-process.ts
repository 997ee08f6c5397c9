import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AppServerMessage } from './server-messages';

/** The token the bench's probes send; the app is configured with it. */
export const BENCH_TOKEN = 'bench-health-token';
export const BENCH_INSTANCE_ID = 'i-0bench';

/** A real app process on 127.0.0.1, SQLite in a temporary directory. */
export interface AppProcess {
  url: string;
  port: number;
  pid: number;
  /** The environment given on top of the bench base, the database URL masked. */
  env: Record<string, string>;
  /** The health runner's run count, the process's RSS and its CPU time so far (µs), asked over IPC. */
  stats(): Promise<{ runs: number; rssBytes: number; cpuMicros: number }>;
  /** SIGTERM, wait for exit, remove the directory. */
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '..');
const START_TIMEOUT_MS = 20_000;

/** What a bench server process runs: the real app, or the bare fastify yardstick. */
export const BenchServer = { app: 'bench/app-server.ts', bare: 'bench/bare-server.ts' } as const;
export type BenchServer = (typeof BenchServer)[keyof typeof BenchServer];

/**
 * Forks `server` (default the real app, `bench/app-server.ts`) under tsx with `env` over a production-like
 * base: port 0 on 127.0.0.1, token set, logs in files (health lines in their own file, as in production).
 * `execArgv` goes before the loader (e.g. `--cpu-prof` to profile the server); `root` serves another tree (an
 * earlier commit unpacked by `unpackBaseline`).
 */
export async function startAppProcess(
  env: Record<string, string> = {},
  options: { server?: BenchServer; execArgv?: string[]; root?: string } = {},
): Promise<AppProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'healthgate-bench-'));
  const root = options.root ?? ROOT;
  const child: ChildProcess = fork(path.join(root, options.server ?? BenchServer.app), [], {
    cwd: root,
    execArgv: [...(options.execArgv ?? []), '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      PATH: process.env.PATH,
      AWS_EC2_METADATA_DISABLED: 'true',
      NODE_ENV: 'production',
      SECRET_KEY: 'bench-secret-key',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dir,
      SQLITE_PATH: path.join(dir, 'app.sqlite'),
      ACCESS_LOG_FILE: path.join(dir, 'access.log'),
      HEALTH_LOG_FILE: path.join(dir, 'health.log'),
      HEALTH_TOKEN: BENCH_TOKEN,
      INSTANCE_ID: BENCH_INSTANCE_ID,
      APP_VERSION: 'bench',
      SHUTDOWN_DRAIN_MS: '0',
      ...env,
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench app did not start in time')), START_TIMEOUT_MS);
    child.on('message', (message: AppServerMessage) => {
      if (message.kind === 'ready') {
        clearTimeout(timer);
        resolve(message.url);
      } else if (message.kind === 'failed') {
        clearTimeout(timer);
        reject(new Error(`bench app failed to start: ${message.error}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`bench app exited with ${code}`)));
  }).catch(async (error: unknown) => {
    await cleanup();
    throw error;
  });
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid ?? -1,
    env: { ...env, ...(env.DATABASE_URL ? { DATABASE_URL: 'postgres://… (embedded, loopback)' } : {}) },
    stats: () =>
      new Promise((resolve) => {
        const onMessage = (message: AppServerMessage) => {
          if (message.kind === 'stats') {
            child.off('message', onMessage);
            resolve({ runs: message.runs, rssBytes: message.rssBytes, cpuMicros: message.cpuMicros });
          }
        };
        child.on('message', onMessage);
        child.send('stats');
      }),
    stop: cleanup,
  };
}
