/**
 * The local fleet: each instance is a real app process bound to its own loopback address on the fleet's one
 * port, with its own fake IMDSv2, its own log files, and the machine faults its UserData asks for.
 */
import { type ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Fleet, FleetInstance } from '../model/fleet';
import { COMMAND_WATCHDOG, type CommandImage, isCommandImage } from './command-image';
import type { BuiltImage } from './images';
import { type ImdsServer, startImds } from './imds';
import { type MachineFaults, parseUserData, splitUserData } from './user-data';

/** What the fleet reports as instances' processes come and go. */
export type FleetEvent =
  | { kind: 'boot-delayed'; time: number; instanceId: string; delayMs: number }
  | {
      kind: 'process-started';
      time: number;
      instanceId: string;
      pid: number;
      privateIp: string;
      imageId: string;
    }
  | {
      kind: 'process-exited';
      time: number;
      instanceId: string;
      code: number | null;
      signal: string | null;
      lastLine?: string;
    }
  | { kind: 'flap'; time: number; instanceId: string; frozen: boolean }
  /** A fault the machine plays on the process from outside: frozen for good, or killed. */
  | { kind: 'machine-fault'; time: number; instanceId: string; fault: 'hang' | 'kill' }
  /** The process answered its liveness endpoint for the first time: from now on it serves. */
  | { kind: 'process-ready'; time: number; instanceId: string; privateIp: string }
  /**
   * The process answers on its address, but its liveness endpoint says it is not the app (the first such
   * answer, e.g. a boot-failure report's 503): from now on its /health can tell a prober why.
   */
  | { kind: 'process-answering'; time: number; instanceId: string; privateIp: string; status: number };

/** One instance as the fleet runs it. */
export interface FleetProcess {
  instance: FleetInstance;
  faults: MachineFaults;
  pid?: number;
  logDir: string;
  /** Set once the process exited. */
  exit?: { code: number | null; signal: string | null; lastLine?: string };
}

/** Launch failures the control plane sees (it then terminates and replaces the instance). */
export class FleetLaunchError extends Error {
  override readonly name = 'FleetLaunchError';
  readonly instanceId: string;

  constructor(message: string, instanceId: string, options?: { cause?: unknown }) {
    super(message, options);
    this.instanceId = instanceId;
  }
}

export interface ProcessFleetOptions {
  /** Images by image id (the launch template's ImageId): built bundles, or shell commands. */
  images: ReadonlyMap<string, BuiltImage | CommandImage>;
  /** The one port every instance listens on, on its own address. */
  port: number;
  /** Per-instance logs go to `<runDir>/instances/<instance-id>/`. */
  runDir: string;
  /**
   * Environment every instance gets before its UserData (database, the sim's endpoint for SSM…); a function is
   * read at each process start.
   */
  baseEnv?: Record<string, string> | (() => Record<string, string>);
  /**
   * Liveness path polled after each start until it answers 200, reported as `process-ready` (when the app
   * became reachable); a first answer of another status is reported as `process-answering`. `false` polls
   * nothing. Default `/health/live`.
   */
  readinessPath?: string | false;
  /** How long a terminated process has after SIGTERM before SIGKILL; default 2000 ms. */
  killGraceMs?: number;
  onEvent?: (event: FleetEvent) => void;
  now?: () => number;
  spawn?: typeof nodeSpawn;
}

/** A fleet of local app processes, plus what it knows of them. */
export interface ProcessFleet extends Fleet {
  processes: ReadonlyMap<string, FleetProcess>;
  /** Pids still running. */
  livePids(): number[];
  /** Kills every process and closes every IMDS; the fleet launches nothing afterwards. */
  close(): Promise<void>;
}

interface Running {
  record: FleetProcess;
  child?: ChildProcess;
  /** The child leads its own process group (a command image): signals go to the whole group. */
  group?: boolean;
  /** The instance id its metadata service gives (another one for an impostor). */
  imdsInstanceId?: string;
  imds?: ImdsServer;
  timers: NodeJS.Timeout[];
  exited: Promise<void>;
  markExited: () => void;
}

/** Live children, and whether each leads a process group. */
const liveChildren = new Map<ChildProcess, boolean>();
/**
 * Process groups of command images not yet known to be empty: a command's processes can outlive its watchdog
 * (a shell killed by SIGTERM while the program it started ignores it), and must still be stopped.
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Whether any process of group `pgid` is left. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signals a child, or its whole group when it leads one; a child already gone is not an error. */
function sendSignal(child: ChildProcess, group: boolean | undefined, name: NodeJS.Signals): void {
  try {
    if (group && child.pid !== undefined) process.kill(-child.pid, name);
    else child.kill(name);
  } catch {
    // Already exited.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Belt and braces: the parent watchdog in each instance already exits when we die.
  process.once('exit', () => {
    for (const [child, group] of liveChildren) sendSignal(child, group, 'SIGKILL');
    for (const pgid of liveGroups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  });
}

/**
 * Starts nothing until the control plane launches an instance.
 *
 * @example
 * const fleet = createProcessFleet({ images, port: 18080, runDir: 'reports/run-1' });
 * const sim = await startSim({ fleet, timeScale: 0.05 });
 */
export function createProcessFleet(options: ProcessFleetOptions): ProcessFleet {
  installExitHook();
  const spawn = options.spawn ?? nodeSpawn;
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => undefined);
  const running = new Map<string, Running>();
  const processes = new Map<string, FleetProcess>();
  /** Terminations in flight: close() waits for them too. */
  const stopping = new Set<Promise<void>>();
  let closed = false;

  const startProcess = (run: Running, image: BuiltImage | CommandImage) => {
    if (closed || run.record.exit) return;
    const { instance, faults } = run.record;
    const { appEnv } = splitUserData(parseUserData(instance.userData));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_ENV: 'production',
      // As the production unit sets it: a misconfigured app answers a failing, non-transient /health instead of
      // exiting, so the gate abandons it at once (UserData may still say `exit`).
      BOOT_FAILURE_REPORT: 'serve',
      ...(typeof options.baseEnv === 'function' ? options.baseEnv() : options.baseEnv),
      ...appEnv,
      HOST: instance.privateIp,
      // Refusing connections from outside the process: the app listens elsewhere, nothing on the instance's port.
      PORT: faults.refuseConnections ? '0' : String(options.port),
      INSTANCE_METADATA: 'imds',
      HEALTHGATE_INSTANCE_ID: run.imdsInstanceId ?? instance.instanceId,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: run.imds!.endpoint,
      DATA_DIR: run.record.logDir,
      ACCESS_LOG_FILE: path.join(run.record.logDir, 'access.log'),
      HEALTH_LOG_FILE: path.join(run.record.logDir, 'health.log'),
    };
    const out = createWriteStream(path.join(run.record.logDir, 'app.log'), { flags: 'a' });
    const command = isCommandImage(image);
    const child = command
      ? spawn(process.execPath, ['-e', COMMAND_WATCHDOG, image.command], {
          env,
          stdio: ['pipe', 'pipe', 'pipe'],
          detached: true,
          ...(image.cwd ? { cwd: image.cwd } : {}),
        })
      : spawn(process.execPath, [image.serveEntry], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    run.child = child;
    run.group = command;
    liveChildren.set(child, command);
    if (command && child.pid !== undefined) liveGroups.add(child.pid);
    run.record.pid = child.pid;
    let lastLine: string | undefined;
    const capture = (chunk: Buffer) => {
      out.write(chunk);
      const lines = chunk.toString('utf8').trim().split('\n');
      lastLine = lines[lines.length - 1] || lastLine;
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    child.stdin?.on('error', () => undefined);
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      for (const timer of run.timers) clearTimeout(timer);
      run.record.exit = { code, signal, lastLine };
      out.end();
      emit({ kind: 'process-exited', time: now(), instanceId: instance.instanceId, code, signal, lastLine });
      run.markExited();
    });
    child.once('error', () => undefined);
    emit({
      kind: 'process-started',
      time: now(),
      instanceId: instance.instanceId,
      pid: child.pid ?? -1,
      privateIp: instance.privateIp,
      imageId: instance.imageId,
    });
    const readiness = (command ? image.readinessPath : undefined) ?? options.readinessPath ?? '/health/live';
    if (readiness !== false) watchReady(run, `http://${instance.privateIp}:${options.port}${readiness}`);
    const machineFault = (fault: 'hang' | 'kill', afterMs: number) =>
      run.timers.push(
        setTimeout(() => {
          if (run.record.exit) return;
          sendSignal(child, command, fault === 'hang' ? 'SIGSTOP' : 'SIGKILL');
          emit({ kind: 'machine-fault', time: now(), instanceId: instance.instanceId, fault });
        }, afterMs),
      );
    if (faults.hangAfterMs > 0) machineFault('hang', faults.hangAfterMs);
    if (faults.killAfterMs > 0) machineFault('kill', faults.killAfterMs);
    if (faults.flapPeriodMs > 0) {
      let frozen = false;
      const toggle = () => {
        if (run.record.exit) return;
        frozen = !frozen;
        sendSignal(child, command, frozen ? 'SIGSTOP' : 'SIGCONT');
        emit({ kind: 'flap', time: now(), instanceId: instance.instanceId, frozen });
        run.timers.push(setTimeout(toggle, faults.flapPeriodMs));
      };
      run.timers.push(setTimeout(toggle, faults.flapPeriodMs));
    }
  };

  const watchReady = (run: Running, url: string) => {
    let answering = false;
    const poll = async () => {
      if (run.record.exit || closed) return;
      const { instanceId, privateIp } = run.record.instance;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(500) });
        await res.body?.cancel();
        if (res.status === 200) {
          emit({ kind: 'process-ready', time: now(), instanceId, privateIp });
          return;
        }
        if (!answering) {
          answering = true;
          emit({ kind: 'process-answering', time: now(), instanceId, privateIp, status: res.status });
        }
      } catch {
        // Not listening yet: poll again.
      }
      // Once it answers as something else than the app, a slower poll still catches it becoming ready.
      run.timers.push(setTimeout(() => void poll(), answering ? 500 : 50));
    };
    void poll();
  };

  return {
    processes,
    livePids: () =>
      [...liveChildren.keys()].map((c) => c.pid).filter((p): p is number => typeof p === 'number'),

    hasImage: (imageId) => options.images.has(imageId),

    admitsLoadBalancer: (instanceId) => processes.get(instanceId)?.faults.lbUnreachable !== true,

    async launch(instance) {
      if (closed) throw new FleetLaunchError('the fleet is closed', instance.instanceId);
      const image = options.images.get(instance.imageId);
      if (!image) {
        throw new FleetLaunchError(`no image ${instance.imageId}`, instance.instanceId);
      }
      const { faults } = splitUserData(parseUserData(instance.userData));
      const imdsInstanceId = faults.impostor ? impostorId(instance.instanceId) : instance.instanceId;
      const logDir = path.join(options.runDir, 'instances', instance.instanceId);
      mkdirSync(logDir, { recursive: true });
      const record: FleetProcess = { instance, faults, logDir };
      let markExited: () => void = () => undefined;
      const exited = new Promise<void>((resolve) => {
        markExited = resolve;
      });
      const run: Running = { record, timers: [], exited, markExited, imdsInstanceId };
      processes.set(instance.instanceId, record);
      running.set(instance.instanceId, run);
      try {
        run.imds = await startImds(
          { instanceId: imdsInstanceId, localIpv4: instance.privateIp },
          instance.privateIp,
        );
      } catch (error) {
        running.delete(instance.instanceId);
        throw new FleetLaunchError(`cannot start IMDS on ${instance.privateIp}`, instance.instanceId, {
          cause: error,
        });
      }
      if (closed || record.exit) {
        // Closed or terminated while the metadata service was starting.
        await run.imds.close();
        throw new FleetLaunchError('the fleet closed during the launch', instance.instanceId);
      }
      if (faults.bootDelayMs > 0) {
        emit({
          kind: 'boot-delayed',
          time: now(),
          instanceId: instance.instanceId,
          delayMs: faults.bootDelayMs,
        });
        run.timers.push(setTimeout(() => startProcess(run, image), faults.bootDelayMs));
      } else {
        startProcess(run, image);
      }
    },

    async terminate(instanceId) {
      const run = running.get(instanceId);
      if (!run) return;
      running.delete(instanceId);
      const stopped = stop(run, options.killGraceMs ?? 2000).finally(() => stopping.delete(stopped));
      stopping.add(stopped);
      await stopped;
    },

    async close() {
      closed = true;
      const all = [...running.values()];
      running.clear();
      await Promise.all([...all.map((run) => stop(run, 500)), ...stopping]);
    },
  };
}

async function stop(run: Running, graceMs: number): Promise<void> {
  for (const timer of run.timers) clearTimeout(timer);
  const child = run.child;
  if (run.group && child?.pid !== undefined) {
    await stopGroup(child.pid, graceMs);
    if (child.exitCode === null && child.signalCode === null) await run.exited;
  } else if (child && child.exitCode === null && child.signalCode === null) {
    sendSignal(child, run.group, 'SIGCONT');
    sendSignal(child, run.group, 'SIGTERM');
    const killer = setTimeout(() => sendSignal(child, run.group, 'SIGKILL'), graceMs);
    await run.exited;
    clearTimeout(killer);
  } else if (!child) {
    run.record.exit ??= { code: null, signal: 'never-started' };
  }
  await run.imds?.close();
}

/**
 * Stops a command's whole group: SIGTERM (after SIGCONT, in case it is frozen), then SIGKILL once the grace has
 * passed with any process of it left, whether or not its watchdog has exited.
 */
async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  if (groupAlive(pgid)) {
    for (const signal of ['SIGCONT', 'SIGTERM'] as const) {
      try {
        process.kill(-pgid, signal);
      } catch {
        // Gone meanwhile.
      }
    }
    const until = Date.now() + graceMs;
    while (groupAlive(pgid) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    if (groupAlive(pgid)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
      // SIGKILL cannot be refused; what lingers is only an orphan waiting for init to reap it.
    }
  }
  liveGroups.delete(pgid);
}

/** Another well-formed instance id: the last hex digit changed. */
export function impostorId(instanceId: string): string {
  const last = instanceId.at(-1) ?? '0';
  const next = ((Number.parseInt(last, 16) + 1) % 16).toString(16);
  return `${instanceId.slice(0, -1)}${next}`;
}
