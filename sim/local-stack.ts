/**
 * `startLocalStack`: the sim, its Lambda functions, EventBridge-like delivery of lifecycle events and
 * (optionally) a fleet of real app processes, wired together, with `process.env` pointing the AWS SDK at it.
 * The functions are the production handlers, unchanged: the sim is reached through `AWS_ENDPOINT_URL` only.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Delivery, type DuplicateDelivery, deliverLifecycleEvents } from './delivery/event-bridge';
import { type CommandImage, isCommandImage } from './fleet/command-image';
import { type BuiltImage, buildImage, DEFAULT_IMAGE_DIR, type ImageSpec } from './fleet/images';
import { createProcessFleet, type ProcessFleet } from './fleet/process-fleet';
import type { FunctionOptions, LambdaHandler } from './lambda/functions';
import type { Fleet } from './model/fleet';
import { seededRandom } from './model/ids';
import { type Sim, type SimOptions, startSim } from './start-sim';
import { Timeline } from './timeline';

/** The launch gate's function name, as serverless.yml names it. */
export const LAUNCH_GATE_FUNCTION = 'healthgate-launch-gate';

/** SSM parameter of the health token the gate sends and the instances accept. */
export const HEALTH_TOKEN_PARAMETER = '/healthgate/health-token';
/** The launch gate's state key: outside the policy prefix, as in production (only the gate reads it). */
export const STATE_KEY_PARAMETER = '/healthgate-gate/state-key';

/** SSM path the instances load their configuration from (`HEALTHGATE_SSM_CONFIG_PATH`). */
export const APP_CONFIG_PATH = '/healthgate/app';

/** The loopback range instances live in: the functions' `PROBE_CIDRS` and the policies' `probeCidrs`. */
export const SIM_PROBE_CIDRS = ['127.0.1.0/24'] as const;

/**
 * A function: a handler, or a module loaded once the stack's `process.env` is set (Lambda's init phase), so a
 * module reading its configuration at load time sees the stack's environment.
 */
export type FunctionSpec =
  | LambdaHandler
  | {
      handler?: LambdaHandler;
      /**
       * Loads the module of container `index`. Return a fresh module instance per container (e.g. import the
       * file with `?container=${index}`) to give concurrent invocations their own module-scope state, as on Lambda.
       */
      load?: (index: number) => Promise<{ handler: LambdaHandler }>;
      options?: FunctionOptions;
    };

/** The local fleet of app processes. */
export interface LocalFleetOptions {
  /** Images to build (esbuild, once per stack), already built, or shell commands (the user's own app). */
  images: readonly (ImageSpec | BuiltImage | CommandImage)[];
  /** The one port every instance listens on; default a free port. */
  port?: number;
  /** Extra environment for every instance (before its UserData). */
  env?: Record<string, string>;
  killGraceMs?: number;
}

export interface LocalStackOptions extends Omit<SimOptions, 'fleet'> {
  /** Functions by name. Lifecycle events go to {@link LAUNCH_GATE_FUNCTION} when it is registered. */
  functions?: Record<string, FunctionSpec>;
  /** Where lifecycle events are delivered; default {@link LAUNCH_GATE_FUNCTION}; `false` delivers nothing. */
  lifecycleTarget?: string | false;
  /** Deliver some events twice (`true`: every one). */
  duplicates?: boolean | DuplicateDelivery;
  /** Real ms from a lifecycle event to its delivery; default 0. */
  deliveryLatencyMs?: number;
  /** App processes for launched instances: options for the local fleet, or any {@link Fleet}. Default none. */
  fleet?: LocalFleetOptions | Fleet;
  /** The token the gate sends (`x-health-token`) and the instances accept; default random. */
  healthToken?: string;
  /**
   * Parameters put under {@link APP_CONFIG_PATH} for every instance, e.g. `{ 'secret-key': '…' }` →
   * `SECRET_KEY`. The health token is always there (`health-token` → `HEALTH_TOKEN`).
   */
  appConfig?: Record<string, string>;
  /** Extra variables for `process.env` (after the defaults), e.g. `POLICY_PREFIX`. */
  env?: Record<string, string>;
  /** Set `process.env` (restored on close); default true. */
  setProcessEnv?: boolean;
  /** Keep instance logs and images after close; default false. */
  keepRunDir?: boolean;
}

/** A running local stack. */
export interface LocalStack {
  sim: Sim;
  endpoint: string;
  /** Everything set in `process.env` (AWS endpoint, region, dummy credentials, the functions' settings). */
  env: Record<string, string>;
  /** The lifecycle rule, when a target is registered. */
  delivery?: Delivery;
  fleet?: ProcessFleet;
  /** The port every instance listens on (the policies' `port`), when the stack runs the process fleet. */
  fleetPort?: number;
  /** The built images (command images are the fleet's only: nothing to build or migrate). */
  images: ReadonlyMap<string, BuiltImage>;
  timeline: Timeline;
  healthToken: string;
  runDir: string;
  /** Puts a group's gate policy (`<POLICY_PREFIX>/<group>/policy`); `probeCidrs` defaults to the sim's. */
  putPolicy(groupName: string, policy: Record<string, unknown>): void;
  /** Polls `probe` every 25 ms until it returns a value other than `undefined`/`false`; rejects after `timeoutMs`. */
  waitFor<T>(probe: () => T | undefined | false, timeoutMs: number, what?: string): Promise<T>;
  /** Stops delivery, waits for running invocations, stops the fleet and the sim, restores `process.env`. */
  close(): Promise<void>;
}

/** Finds a port free on every address (so each instance can bind it on its own loopback IP). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const isLocalFleet = (fleet: LocalFleetOptions | Fleet): fleet is LocalFleetOptions => 'images' in fleet;
const isBuilt = (image: ImageSpec | BuiltImage): image is BuiltImage => 'serveEntry' in image;

/**
 * Starts the sim with everything wired.
 *
 * @example
 * const stack = await startLocalStack({
 *   timeScale: 0.1,
 *   fleet: { images: [{ imageId: 'ami-v1' }] },
 *   functions: {
 *     'healthgate-launch-gate': { load: (c) => import(`../functions/launch-gate.ts?container=${c}`) },
 *   },
 * });
 * stack.putPolicy('web', { port: stack.fleetPort, intervalSeconds: 0.5 });
 * // … create a launch template and a group with a launching hook (SDK or stack.sim.model) …
 * await stack.close();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const timeline = new Timeline();
  const healthToken = options.healthToken ?? randomBytes(18).toString('base64url');
  const ownRunDir = mkdtempSync(path.join(tmpdir(), 'healthgate-sim-'));
  const runId = path.basename(ownRunDir);
  const cleanups: (() => Promise<void> | void)[] = [];

  let fleet: ProcessFleet | Fleet | undefined;
  let fleetPort: number | undefined;
  const images = new Map<string, BuiltImage>();
  const commands = new Map<string, CommandImage>();
  const instanceEnv: Record<string, string> = {};
  if (options.fleet && isLocalFleet(options.fleet)) {
    const imageDir = path.join(DEFAULT_IMAGE_DIR, runId);
    cleanups.push(() => {
      if (!options.keepRunDir) rmSync(imageDir, { recursive: true, force: true });
    });
    for (const image of options.fleet.images) {
      if (isCommandImage(image)) commands.set(image.imageId, image);
      else images.set(image.imageId, isBuilt(image) ? image : await buildImage(image, imageDir));
    }
    fleetPort = options.fleet.port ?? (await freePort());
    const extra = options.fleet.env ?? {};
    fleet = createProcessFleet({
      images: new Map<string, BuiltImage | CommandImage>([...images, ...commands]),
      port: fleetPort,
      runDir: ownRunDir,
      baseEnv: () => ({ ...instanceEnv, ...extra }),
      killGraceMs: options.fleet.killGraceMs,
      onEvent: (event) => timeline.add(event),
    });
  } else if (options.fleet) {
    fleet = options.fleet;
  }

  const sim = await startSim({ ...options, fleet });
  sim.events.on('change', (change) => timeline.add(change));
  sim.functions.events.on('invocation', (event) => timeline.add(event));

  // What the instances read: the sim's endpoint for SSM, and where their configuration lives.
  Object.assign(instanceEnv, sim.env, { HEALTHGATE_SSM_CONFIG_PATH: APP_CONFIG_PATH });
  sim.model.parameters.put({ name: HEALTH_TOKEN_PARAMETER, value: healthToken, type: 'SecureString' });
  sim.model.parameters.put({
    name: STATE_KEY_PARAMETER,
    value: randomBytes(32).toString('base64url'),
    type: 'SecureString',
  });
  sim.model.parameters.put({
    name: `${APP_CONFIG_PATH}/health-token`,
    value: healthToken,
    type: 'SecureString',
  });
  for (const [name, value] of Object.entries(options.appConfig ?? {})) {
    sim.model.parameters.put({ name: `${APP_CONFIG_PATH}/${name}`, value, type: 'SecureString' });
  }

  const env: Record<string, string> = {
    ...sim.env,
    PROBE_CIDRS: SIM_PROBE_CIDRS.join(','),
    HEALTH_TOKEN_PARAMETER,
    HEALTH_TOKEN_HEADER: 'x-health-token',
    STATE_KEY_PARAMETER,
    // Policies change between runs of a test: read them fresh.
    POLICY_CACHE_SECONDS: '0',
    ...options.env,
  };
  const policyPrefix = env.POLICY_PREFIX ?? '/healthgate';
  if (options.setProcessEnv !== false) {
    const previous = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    cleanups.push(() => {
      for (const [key, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });
  }

  try {
    for (const [name, spec] of Object.entries(options.functions ?? {})) {
      if (typeof spec === 'function') {
        sim.functions.register(name, spec);
        continue;
      }
      // The init phase: a module is loaded once, before any invocation and outside its timeout, as Lambda
      // does, and after process.env is set, so a module reading its configuration at load time sees the stack's.
      const { handler, load } = spec;
      if (handler) {
        sim.functions.register(name, handler, spec.options);
      } else if (load) {
        const first = (await load(0)).handler;
        sim.functions.registerContainers(
          name,
          async (index) => (await load(index)).handler,
          spec.options,
          first,
        );
      } else {
        throw new TypeError(`function ${name}: give a handler or a load()`);
      }
    }
  } catch (error) {
    await sim.close();
    if (fleet && 'close' in fleet) await (fleet as ProcessFleet).close();
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(ownRunDir, { recursive: true, force: true });
    throw error;
  }

  const target = options.lifecycleTarget ?? LAUNCH_GATE_FUNCTION;
  let delivery: Delivery | undefined;
  if (target !== false && sim.functions.names().includes(target)) {
    delivery = deliverLifecycleEvents({
      events: sim.events,
      functions: sim.functions,
      target,
      duplicates: options.duplicates,
      latencyMs: options.deliveryLatencyMs,
      random: options.seed !== undefined ? seededRandom(options.seed + 2) : Math.random,
      onDelivery: (record) => timeline.add(record),
    });
  }

  const processFleet = fleet && 'livePids' in fleet ? (fleet as ProcessFleet) : undefined;
  let closed = false;
  return {
    sim,
    endpoint: sim.endpoint,
    env,
    delivery,
    fleet: processFleet,
    fleetPort,
    images,
    timeline,
    healthToken,
    runDir: ownRunDir,
    putPolicy(groupName, policy) {
      sim.model.parameters.put({
        name: `${policyPrefix}/${groupName}/policy`,
        value: JSON.stringify({ probeCidrs: [...SIM_PROBE_CIDRS], ...policy }),
        overwrite: true,
      });
    },
    async waitFor(probe, timeoutMs, what = 'condition') {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value !== undefined && value !== false) return value;
        if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      delivery?.stop();
      await sim.close();
      await processFleet?.close();
      for (const cleanup of cleanups.reverse()) await cleanup();
      if (!options.keepRunDir) rmSync(ownRunDir, { recursive: true, force: true });
    },
  };
}
