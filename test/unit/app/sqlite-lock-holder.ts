import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

/** A second process holding a SQLite file locked. */
export interface SqliteLockHolder {
  pid: number;
  /** Kills the holder by its pid and waits for it to exit; the lock goes with it. */
  release(): Promise<void>;
}

/**
 * Starts a real second process that takes `file`'s exclusive lock and holds it. A WAL database lets readers
 * through a plain `BEGIN EXCLUSIVE`, so the holder uses `locking_mode = EXCLUSIVE`, which shuts every other
 * connection out, readers included; it can only take the lock while no other connection has the file open.
 * The holder also exits by itself after `maxMs`, and when this process goes away (its stdin closes).
 */
export async function holdSqliteLock(file: string, maxMs = 60_000): Promise<SqliteLockHolder> {
  const code = `
    const Database = require(${JSON.stringify(BETTER_SQLITE3)});
    const db = new Database(${JSON.stringify(file)}, { timeout: 5000 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('locked\\n');
    process.stdin.on('end', () => process.exit(0)).resume();
    setTimeout(() => process.exit(0), ${maxMs});
  `;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error('the lock holder did not start');
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    void exited.then(() => reject(new Error(`the lock holder exited before locking: ${stderr}`)));
  });
  let released: Promise<void> | undefined;
  return {
    pid,
    release() {
      released ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          process.kill(pid, 'SIGKILL');
        }
        await exited;
      })();
      return released;
    },
  };
}
