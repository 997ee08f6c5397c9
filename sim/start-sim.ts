/** `startSim`: the control plane behind an HTTP endpoint on loopback. */
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { RequestLog } from './api/request-log';
import type { Faults } from './api/server';
import { createApi, listen } from './api/server';
import type { SimEvents } from './events';
import { EventSourceMappings } from './lambda/event-source-mappings';
import { type FunctionOptions, LambdaFunctions } from './lambda/functions';
import { ControlPlane, type ControlPlaneOptions } from './model/control-plane';
import { SimError } from './model/errors';
import { type Random, seededRandom } from './model/ids';

export interface SimOptions extends ControlPlaneOptions {
  /** Loopback address to bind; default `127.0.0.1`. Anything outside 127.0.0.0/8 is refused. */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
  /** Seed for ids and fault decisions; default unseeded (`Math.random`). */
  seed?: number;
  /** Sleep used for injected latency; default a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Defaults for every Lambda function registered with `sim.functions` (timeout, async retries). */
  lambdaDefaults?: Omit<FunctionOptions, 'reservedConcurrency'>;
  /**
   * Lambda's account concurrency limit (default 1000) and the smallest unreserved pool reservations may leave
   * (default 100), as Lambda enforces them. Per-function limits: `FunctionOptions.reservedConcurrency`.
   */
  lambdaConcurrency?: { account?: number; minimumUnreserved?: number };
  /** Keep each invocation's output with it, as CloudWatch Logs would (`echo`: also print it). Default off. */
  lambdaLogs?: { echo: boolean };
}

/** A running control plane. */
export interface Sim {
  /** `http://127.0.0.1:PORT`: what `AWS_ENDPOINT_URL` is set to. */
  endpoint: string;
  /** The environment a process needs to reach the sim with unmodified SDK clients. */
  env: Record<string, string>;
  /** The model: groups, instances, lifecycle actions, load balancers, parameters. */
  model: ControlPlane;
  /** `lifecycle` (EventBridge lifecycle events) and `change` (state changes). */
  events: SimEvents;
  /** Runtime fault rules for the API. */
  faults: Faults;
  /** Every API call answered. */
  requests: RequestLog;
  /** Lambda functions served by the Invoke API (`POST /2015-03-31/functions/{name}/invocations`). */
  functions: LambdaFunctions;
  /** Lambda event source mappings from SQS queues (`model.queues`) to `functions`. */
  eventSourceMappings: EventSourceMappings;
  /** Stops timers and the endpoint; waits for running invocations (pending retries are dropped). */
  close(): Promise<void>;
}

/**
 * Starts the control plane and its API endpoint.
 *
 * @example
 * const sim = await startSim({ timeScale: 0.01 });
 * sim.events.on('lifecycle', (event) => void gate(event));
 * const asg = new AutoScalingClient({ endpoint: sim.endpoint, region: 'us-east-1' });
 * await sim.close();
 */
export const startSim = async (options: SimOptions = {}): Promise<Sim> => {
  const host = options.host ?? '127.0.0.1';
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) {
    throw new SimError('InvalidConfiguration', `The sim binds loopback only; got ${host}`);
  }
  const random: Random =
    options.random ?? (options.seed !== undefined ? seededRandom(options.seed) : Math.random);
  const model = new ControlPlane({
    ...options,
    random,
    sqs: {
      ...options.sqs,
      random:
        options.sqs?.random ?? (options.seed !== undefined ? seededRandom(options.seed + 3) : Math.random),
    },
  });
  const faultRandom = options.seed !== undefined ? seededRandom(options.seed + 1) : random;
  const functions = new LambdaFunctions({
    region: model.region,
    accountId: model.accountId,
    requestId: () => model.ids.requestId(),
    defaults: options.lambdaDefaults,
    accountConcurrency: options.lambdaConcurrency?.account,
    minimumUnreservedConcurrency: options.lambdaConcurrency?.minimumUnreserved,
    ...(options.lambdaLogs ? { logs: options.lambdaLogs } : {}),
  });
  const eventSourceMappings = new EventSourceMappings({
    functions,
    queues: model.queues,
    region: model.region,
    accountId: model.accountId,
    uuid: () => model.ids.uuid(),
    clock: () => model.scheduler.now(),
  });
  const api = createApi({
    controlPlane: model,
    random: faultRandom,
    sleep: options.sleep ?? ((ms) => delay(ms)),
    functions,
  });
  const server = await listen(api.handle, host, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${host}:${port}`;
  model.queues.endpoint = endpoint;
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: model.region,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    model,
    events: model.events,
    faults: api.faults,
    requests: api.log,
    functions,
    eventSourceMappings,
    async close() {
      await eventSourceMappings.stop();
      await functions.close();
      model.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
};
