/** The whole in-memory control plane: one object the API layer and tests drive. */
import { SimEvents } from '../events';
import type { FetchLike } from '../lb/probe';
import { AutoScaling } from './autoscaling';
import { type Fleet, noopFleet } from './fleet';
import { type IdGenerator, idGenerator, type Random } from './ids';
import { InstanceRefreshes } from './instance-refresh';
import { type IpAllocator, ipAllocator } from './ip-allocator';
import { LaunchTemplates } from './launch-templates';
import { LoadBalancers } from './load-balancers';
import { Parameters } from './parameters';
import type { QueueDuplicates } from './queue';
import { Queues } from './queues';
import { realScheduler, type Scheduler } from './scheduler';

export interface ControlPlaneOptions {
  /** Runs instances; default runs nothing. */
  fleet?: Fleet;
  /** Clock and timers; default wall clock. Pass a `ManualScheduler` to drive time from a test. */
  scheduler?: Scheduler;
  /**
   * Real time per configured time: 1 = AWS speed, 0.01 = a 300 s heartbeat timeout lasts 3 s.
   * Applies to lifecycle timeouts, health-check intervals/timeouts and deregistration delays.
   */
  timeScale?: number;
  /** Randomness for ids; default `Math.random`. */
  random?: Random;
  ids?: IdGenerator;
  ips?: IpAllocator;
  /** Used by the LB health checker; default global `fetch`. */
  fetch?: FetchLike;
  region?: string;
  accountId?: string;
  /**
   * SQS: duplicate deliveries of received messages (at-least-once) and the randomness for them and for receipt
   * handles. SQS times are never scaled by `timeScale`: producers compute delays from their own clocks.
   */
  sqs?: { duplicates?: QueueDuplicates; random?: Random };
  /** Instance refresh: replacements of one refresh (or rollback) that may fail before it fails; default 3. */
  instanceRefresh?: { failedReplacementLimit?: number };
}

/** State and behaviour of every emulated service. */
export class ControlPlane {
  readonly events = new SimEvents();
  readonly scheduler: Scheduler;
  readonly ids: IdGenerator;
  readonly region: string;
  readonly accountId: string;
  readonly launchTemplates: LaunchTemplates;
  readonly loadBalancers: LoadBalancers;
  readonly parameters: Parameters;
  readonly autoscaling: AutoScaling;
  readonly instanceRefreshes: InstanceRefreshes;
  readonly queues: Queues;

  constructor(options: ControlPlaneOptions = {}) {
    this.scheduler = options.scheduler ?? realScheduler();
    this.ids = options.ids ?? idGenerator(options.random ?? Math.random);
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    const msPerSecond = 1000 * (options.timeScale ?? 1);
    const now = () => this.scheduler.now();
    const fleet = options.fleet ?? noopFleet();
    this.launchTemplates = new LaunchTemplates(this.ids, now);
    this.parameters = new Parameters(now);
    this.loadBalancers = new LoadBalancers({
      scheduler: this.scheduler,
      events: this.events,
      fetch: options.fetch ?? (fetch as unknown as FetchLike),
      reachable: (instanceId) => fleet.admitsLoadBalancer?.(instanceId) ?? true,
      msPerSecond,
      region: this.region,
      accountId: this.accountId,
    });
    this.queues = new Queues({
      scheduler: this.scheduler,
      ids: this.ids,
      random: options.sqs?.random ?? options.random ?? Math.random,
      region: this.region,
      accountId: this.accountId,
      duplicates: options.sqs?.duplicates,
    });
    this.autoscaling = new AutoScaling({
      scheduler: this.scheduler,
      events: this.events,
      fleet,
      ids: this.ids,
      ips: options.ips ?? ipAllocator(),
      launchTemplates: this.launchTemplates,
      loadBalancers: this.loadBalancers,
      msPerSecond,
      region: this.region,
      accountId: this.accountId,
    });
    this.instanceRefreshes = new InstanceRefreshes({
      scheduler: this.scheduler,
      events: this.events,
      ids: this.ids,
      autoscaling: this.autoscaling,
      launchTemplates: this.launchTemplates,
      loadBalancers: this.loadBalancers,
      msPerSecond,
      ...options.instanceRefresh,
    });
  }

  /** Waits for in-flight launches and terminations. */
  settle(): Promise<void> {
    return this.autoscaling.settle();
  }

  /** Stops every timer. */
  stop(): void {
    this.instanceRefreshes.stop();
    this.autoscaling.stop();
    this.loadBalancers.stop();
    this.queues.stop();
  }
}
