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
import {
  type Delivery,
  type DeliveryTarget,
  type DuplicateDelivery,
  deliverLifecycleEvents,
} from './delivery/event-bridge';
import { type CommandImage, isCommandImage } from './fleet/command-image';
import { fleetByImage } from './fleet/fleet-by-image';
import { type BuiltImage, buildImage, DEFAULT_IMAGE_DIR, type ImageSpec } from './fleet/images';
import { createLightFleet, type LightFleet } from './fleet/light-fleet';
import { isLightImage, type LightImage } from './fleet/light-image';
import { createProcessFleet, type ProcessFleet } from './fleet/process-fleet';
import type { PollerTuning, SqsEventSourceMapping } from './lambda/event-source-mapping';
import type { FunctionOptions, LambdaHandler } from './lambda/functions';
import type { Fleet } from './model/fleet';
import { seededRandom } from './model/ids';
import { type Sim, type SimOptions, startSim } from './start-sim';
import { Timeline } from './timeline';

/** The launch gate's function name, as serverless.yml names it. */
export const LAUNCH_GATE_FUNCTION = 'healthgate-launch-gate';

/** The steps queue's default name; its dead-letter queue adds `-dlq`. */
export const STEP_QUEUE_NAME = `${LAUNCH_GATE_FUNCTION}-steps`;

/** How lifecycle events reach the launch gate. */
export const GateDelivery = {
  /** EventBridge invokes the function asynchronously with each event. */
  invoke: 'invoke',
  /**
   * EventBridge sends each event to the steps queue (the event's JSON as the message body); the function reads
   * the queue through an event source mapping, as it reads its own next steps.
   */
  queue: 'queue',
} as const;
export type GateDelivery = (typeof GateDelivery)[keyof typeof GateDelivery];

/** The steps queue: the gate's next steps (and, with {@link GateDelivery.queue}, the lifecycle events). */
export interface StepQueueOptions {
  /** Default {@link STEP_QUEUE_NAME}. */
  name?: string;
  /**
   * The queue's visibility timeout: how long a failed step waits before it is delivered again. Default the gate
   * function's timeout in whole seconds, the shortest an event source mapping accepts.
   */
  visibilityTimeoutSeconds?: number;
  /** Deliveries before a message moves to the dead-letter queue; default 3. */
  maxReceiveCount?: number;
  /** The event source mapping's BatchSize; default 10. */
  batchSize?: number;
  /** The event source mapping's MaximumBatchingWindowInSeconds; default 0. */
  maximumBatchingWindowSeconds?: number;
  /** The event source mapping's ScalingConfig.MaximumConcurrency; default none. */
  maximumConcurrency?: number;
  /** How the sim's pollers scale (Lambda's documented numbers by default). */
  tuning?: PollerTuning;
}

/** The steps queue as the stack created it. */
export interface StepQueue {
  url: string;
  arn: string;
  deadLetterUrl: string;
  deadLetterArn: string;
  /** The event source mapping to the launch gate, when the gate function is registered. */
  mapping?: SqsEventSourceMapping;
}

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

/** The local fleet: app processes, and light instances (in-process health servers) for large fleets. */
export interface LocalFleetOptions {
  /**
   * Images to build (esbuild, once per stack), already built, shell commands (the user's own app), or light
   * images (`{ imageId, light: { bootDelayMs, health } }`: hundreds of instances in one process).
   */
  images: readonly (ImageSpec | BuiltImage | CommandImage | LightImage)[];
  /** The one port every instance listens on; default a free port. */
  port?: number;
  /** Extra environment for every instance (before its UserData). */
  env?: Record<string, string>;
  killGraceMs?: number;
}

export interface LocalStackOptions extends Omit<SimOptions, 'fleet'> {
  /** Functions by name. Lifecycle events go to {@link LAUNCH_GATE_FUNCTION} when it is registered. */
  functions?: Record<string, FunctionSpec>;
  /**
   * Where lifecycle events are delivered with {@link GateDelivery.invoke}: a function's name; default
   * {@link LAUNCH_GATE_FUNCTION}; `false` delivers nothing (with either delivery).
   */
  lifecycleTarget?: string | false;
  /**
   * How lifecycle events reach the gate; default {@link GateDelivery.queue}, as production delivers them (the
   * rule targets the gate's steps queue). {@link GateDelivery.invoke} calls the function directly instead.
   */
  gateDelivery?: GateDelivery;
  /**
   * The steps queue, its dead-letter queue (redrive after `maxReceiveCount` deliveries) and an event source
   * mapping from it to {@link LAUNCH_GATE_FUNCTION} with `ReportBatchItemFailures`; its URL is `STEP_QUEUE_URL`
   * in the functions' environment. Created with {@link GateDelivery.queue}, or when this is given.
   */
  stepQueue?: StepQueueOptions;
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
  /** The steps queue, with {@link GateDelivery.queue} or `stepQueue`. */
  stepQueue?: StepQueue;
  fleet?: ProcessFleet;
  /** The light instances, when the fleet has light images. */
  lightFleet?: LightFleet;
  /** The port every instance listens on (the policies' `port`), when the stack runs the local fleet. */
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

  let fleet: Fleet | undefined;
  let processFleet: ProcessFleet | undefined;
  let lightFleet: LightFleet | undefined;
  let fleetPort: number | undefined;
  const images = new Map<string, BuiltImage>();
  const commands = new Map<string, CommandImage>();
  const instanceEnv: Record<string, string> = {};
  if (options.fleet && isLocalFleet(options.fleet)) {
    const imageDir = path.join(DEFAULT_IMAGE_DIR, runId);
    cleanups.push(() => {
      if (!options.keepRunDir) rmSync(imageDir, { recursive: true, force: true });
    });
    const lights = new Map<string, LightImage>();
    for (const image of options.fleet.images) {
      if (isLightImage(image)) lights.set(image.imageId, image);
      else if (isCommandImage(image)) commands.set(image.imageId, image);
      else images.set(image.imageId, isBuilt(image) ? image : await buildImage(image, imageDir));
    }
    fleetPort = options.fleet.port ?? (await freePort());
    const extra = options.fleet.env ?? {};
    if (images.size > 0 || commands.size > 0 || lights.size === 0) {
      processFleet = createProcessFleet({
        images: new Map<string, BuiltImage | CommandImage>([...images, ...commands]),
        port: fleetPort,
        runDir: ownRunDir,
        baseEnv: () => ({ ...instanceEnv, ...extra }),
        killGraceMs: options.fleet.killGraceMs,
        onEvent: (event) => timeline.add(event),
      });
    }
    if (lights.size > 0) {
      lightFleet = createLightFleet({
        images: lights,
        port: fleetPort,
        // As the app reads HEALTH_TOKEN (and HEALTH_TOKEN_HEADER) from its configuration.
        auth: { token: healthToken, header: 'x-health-token' },
        onEvent: (event) => timeline.add(event),
      });
    }
    const parts = [processFleet, lightFleet].filter((f): f is ProcessFleet | LightFleet => f !== undefined);
    fleet = parts.length === 1 ? parts[0] : fleetByImage(parts);
  } else if (options.fleet) {
    fleet = options.fleet;
    // A process fleet made by the caller is still the stack's to report and close, as before.
    if ('livePids' in fleet) processFleet = fleet as ProcessFleet;
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

  const gateDelivery = options.gateDelivery ?? GateDelivery.queue;
  let stepQueue: StepQueue | undefined;
  if (gateDelivery === GateDelivery.queue || options.stepQueue) {
    const q = options.stepQueue ?? {};
    const gate = options.functions?.[LAUNCH_GATE_FUNCTION];
    const gateTimeoutMs =
      (typeof gate === 'object' ? gate.options?.timeoutMs : undefined) ??
      options.lambdaDefaults?.timeoutMs ??
      30_000;
    const name = q.name ?? STEP_QUEUE_NAME;
    const dlq = sim.model.queues.create(`${name}-dlq`, { MessageRetentionPeriod: '1209600' });
    const queue = sim.model.queues.create(name, {
      VisibilityTimeout: String(q.visibilityTimeoutSeconds ?? Math.max(1, Math.ceil(gateTimeoutMs / 1000))),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.arn,
        maxReceiveCount: q.maxReceiveCount ?? 3,
      }),
    });
    stepQueue = { url: queue.url, arn: queue.arn, deadLetterUrl: dlq.url, deadLetterArn: dlq.arn };
  }

  const env: Record<string, string> = {
    ...sim.env,
    ...(stepQueue ? { STEP_QUEUE_URL: stepQueue.url } : {}),
    PROBE_CIDRS: SIM_PROBE_CIDRS.join(','),
    HEALTH_TOKEN_PARAMETER,
    HEALTH_TOKEN_HEADER: 'x-health-token',
    STATE_KEY_PARAMETER,
    // Policies, tokens and keys change between runs of a test: read them fresh.
    POLICY_CACHE_SECONDS: '0',
    SECRET_CACHE_SECONDS: '0',
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
    if (stepQueue && sim.functions.names().includes(LAUNCH_GATE_FUNCTION)) {
      const q = options.stepQueue ?? {};
      stepQueue.mapping = sim.eventSourceMappings.create(
        {
          EventSourceArn: stepQueue.arn,
          FunctionName: LAUNCH_GATE_FUNCTION,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ...(q.batchSize !== undefined ? { BatchSize: q.batchSize } : {}),
          ...(q.maximumBatchingWindowSeconds !== undefined
            ? { MaximumBatchingWindowInSeconds: q.maximumBatchingWindowSeconds }
            : {}),
          ...(q.maximumConcurrency !== undefined
            ? { ScalingConfig: { MaximumConcurrency: q.maximumConcurrency } }
            : {}),
        },
        q.tuning,
      );
    }
  } catch (error) {
    await sim.close();
    await processFleet?.close();
    await lightFleet?.close();
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(ownRunDir, { recursive: true, force: true });
    throw error;
  }

  const functionTarget = options.lifecycleTarget ?? LAUNCH_GATE_FUNCTION;
  let target: DeliveryTarget | undefined;
  if (functionTarget !== false) {
    if (gateDelivery === GateDelivery.queue) target = { kind: 'sqs', queueArn: stepQueue!.arn };
    else if (sim.functions.names().includes(functionTarget))
      target = { kind: 'lambda', functionName: functionTarget };
  }
  let delivery: Delivery | undefined;
  if (target) {
    delivery = deliverLifecycleEvents({
      events: sim.events,
      functions: sim.functions,
      queues: sim.model.queues,
      target,
      duplicates: options.duplicates,
      latencyMs: options.deliveryLatencyMs,
      random: options.seed !== undefined ? seededRandom(options.seed + 2) : Math.random,
      onDelivery: (record) => timeline.add(record),
    });
  }

  let closed = false;
  return {
    sim,
    endpoint: sim.endpoint,
    env,
    delivery,
    ...(stepQueue ? { stepQueue } : {}),
    fleet: processFleet,
    ...(lightFleet ? { lightFleet } : {}),
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
      await lightFleet?.close();
      for (const cleanup of cleanups.reverse()) await cleanup();
      if (!options.keepRunDir) rmSync(ownRunDir, { recursive: true, force: true });
    },
  };
}
