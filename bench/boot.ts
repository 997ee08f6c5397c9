import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { MIB } from './stats';

/** One cold boot of `app/cli/serve.ts` in a fresh directory (SQLite created, migrations applied on boot). */
export interface BootResult {
  /** Spawn → "listening on" printed, ms. */
  listeningMs: number;
  /** Spawn → first 200 from deep `/health`, ms. */
  firstHealthyMs: number;
  /** Resident set of the server process once healthy (Linux /proc), MiB. */
  rssMiB?: number;
}

const ROOT = path.resolve(import.meta.dirname, '..');
const LIMIT_MS = 20_000;

/** Boots the app as `npm run app` does (tsx loader, no npm wrapper) and times it to its first healthy answer. */
export async function bootOnce(): Promise<BootResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'healthgate-boot-'));
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'app/cli/serve.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      AWS_EC2_METADATA_DISABLED: 'true',
      NODE_ENV: 'production',
      SECRET_KEY: 'bench-secret-key',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dir,
      MIGRATE_ON_BOOT: '1',
      SHUTDOWN_DRAIN_MS: '0',
      LOG_LEVEL: 'warn',
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.resume();
  try {
    let listeningMs: number | undefined;
    let url: string | undefined;
    while (performance.now() - started < LIMIT_MS) {
      if (url === undefined) {
        url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
        if (url !== undefined) listeningMs = performance.now() - started;
      } else {
        const status = await fetch(`${url}/health`)
          .then(async (res) => {
            await res.arrayBuffer();
            return res.status;
          })
          .catch(() => 0);
        if (status === 200) {
          const firstHealthyMs = performance.now() - started;
          return {
            listeningMs: Math.round(listeningMs ?? firstHealthyMs),
            firstHealthyMs: Math.round(firstHealthyMs),
            rssMiB: await rssOf(child.pid),
          };
        }
      }
      if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode} during boot`);
      await sleep(5);
    }
    throw new Error('app did not become healthy in time');
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
}

async function rssOf(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kib === undefined ? undefined : Number(((Number(kib) * 1024) / MIB).toFixed(1));
}
