import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { type AppConfig, loadConfig } from '../../../app/config';
import { createLoggers, type LogDestinations } from '../../../app/logging';
import { type ServeDeps, type Served, serve } from '../../../app/serve';

export const TEST_TOKEN = 'test-health-token';
export const APP_HOST = 'app.example.test';

/** A temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'healthgate-app-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A test configuration: port 0 on 127.0.0.1, SQLite in `dir`, redirect on, token set. */
export function testConfig(dir: string, env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    SECRET_KEY: 'test-secret-key-value',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dir,
    SQLITE_PATH: path.join(dir, 'app.sqlite'),
    ALLOWED_HOSTS: APP_HOST,
    HEALTH_TOKEN: TEST_TOKEN,
    SHUTDOWN_DRAIN_MS: '0',
    LOG_LEVEL: 'info',
    ...env,
  });
}

/** Log destinations in files under `dir`, and a reader for each. */
export function fileLoggers(dir: string) {
  const files = { main: path.join(dir, 'main.log'), health: path.join(dir, 'health.log') };
  const destinations: LogDestinations = {
    main: pino.destination({ dest: files.main, sync: true, mkdir: true }),
    health: pino.destination({ dest: files.health, sync: true, mkdir: true }),
  };
  return {
    loggers: createLoggers(destinations, 'info'),
    read: async (which: 'main' | 'health') =>
      (await readFile(files[which], 'utf8').catch(() => ''))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A fake signal source and a recorded exit. */
export function fakeProcess() {
  const signals = new EventEmitter();
  const exits: number[] = [];
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  return {
    signals,
    exits,
    exited,
    exit: (code: number) => {
      exits.push(code);
      resolveExit(code);
    },
  };
}

/** Serves `config` on 127.0.0.1:0 with a fake process; `close` shuts it down. */
export async function startApp(
  config: AppConfig,
  deps: ServeDeps = {},
): Promise<Served & { base: string; port: number; close: () => Promise<void> }> {
  const proc = fakeProcess();
  const served = await serve(config, { signals: proc.signals, exit: proc.exit, print: () => {}, ...deps });
  const port = (served.app.server.address() as AddressInfo).port;
  return {
    ...served,
    base: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      await served.shutdown();
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: () => Record<string, unknown>;
}

/** A real HTTP GET to 127.0.0.1:`port` with any Host header (fetch forbids setting Host). */
export function get(port: number, urlPath: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: 'GET',
        headers: { host: APP_HOST, ...headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Headers of a request that passed through the load balancer over HTTPS, with the health token. */
export const viaLb = { 'x-forwarded-proto': 'https' };
export const withToken = { 'x-health-token': TEST_TOKEN };

/** A TCP server on 127.0.0.1:0 that accepts connections and never answers (a hung database). */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
