/**
 * EventBridge-like delivery of the control plane's lifecycle events to a Lambda function: a rule matching
 * `source: aws.autoscaling` and the given detail-types, whose target is invoked asynchronously, as EventBridge
 * invokes Lambda. Delivery is at least once: with `duplicates` set, some events are delivered a second time.
 */
import type { LifecycleEvent, SimEvents } from '../events';
import type { LambdaFunctions } from '../lambda/functions';
import type { Random } from '../model/ids';

/** When an event is delivered twice. */
export interface DuplicateDelivery {
  /** Share of events delivered twice, in [0, 1]; default 1 (every event). */
  rate?: number;
  /** Real ms between the two deliveries; default 50. */
  delayMs?: number;
}

export interface DeliveryOptions {
  events: SimEvents;
  functions: LambdaFunctions;
  /** The rule's target: a registered function name. */
  target: string;
  /** Detail-types the rule matches; default the launch lifecycle action only. */
  detailTypes?: readonly LifecycleEvent['detail-type'][];
  /** Groups the rule matches; default every group. */
  groupNames?: readonly string[];
  /** `true` delivers every event twice; an object sets the share and delay. Default off. */
  duplicates?: boolean | DuplicateDelivery;
  /** Real ms from the event to its (first) delivery; default 0. */
  latencyMs?: number;
  random?: Random;
  now?: () => number;
  onDelivery?: (delivery: DeliveryRecord) => void;
}

/** One delivery of one event to the target. */
export interface DeliveryRecord {
  kind: 'delivery';
  time: number;
  eventId: string;
  instanceId: string;
  target: string;
  /** 1, or 2 for a duplicate. */
  copy: number;
  /** The async invocation's request id; absent when the invoke was refused. */
  requestId?: string;
  error?: string;
}

/** A running rule. */
export interface Delivery {
  readonly deliveries: readonly DeliveryRecord[];
  /** Resolves once every scheduled delivery was handed to Lambda. */
  settle(): Promise<void>;
  /** Stops matching; scheduled deliveries are dropped. */
  stop(): void;
}

/**
 * Subscribes a rule to the control plane's `lifecycle` events.
 *
 * @example
 * const rule = deliverLifecycleEvents({ events: sim.events, functions: sim.functions,
 *   target: 'healthgate-launch-gate', duplicates: { rate: 0.5 } });
 */
export function deliverLifecycleEvents(options: DeliveryOptions): Delivery {
  const detailTypes = options.detailTypes ?? ['EC2 Instance-launch Lifecycle Action'];
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const dup: Required<DuplicateDelivery> | undefined =
    options.duplicates === true
      ? { rate: 1, delayMs: 50 }
      : options.duplicates
        ? { rate: options.duplicates.rate ?? 1, delayMs: options.duplicates.delayMs ?? 50 }
        : undefined;
  const deliveries: DeliveryRecord[] = [];
  const timers = new Map<NodeJS.Timeout, () => void>();
  let stopped = false;

  const deliver = (event: LifecycleEvent, copy: number) => {
    if (stopped) return;
    const record: DeliveryRecord = {
      kind: 'delivery',
      time: now(),
      eventId: event.id,
      instanceId: event.detail.EC2InstanceId,
      target: options.target,
      copy,
    };
    try {
      record.requestId = options.functions.invokeAsync(options.target, event).requestId;
    } catch (error) {
      // EventBridge would retry a refused target for up to 24 hours; the sim records the refusal instead.
      record.error = (error as Error).message;
    }
    deliveries.push(record);
    options.onDelivery?.(record);
  };

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.set(timer, fn);
  };

  const listener = (event: LifecycleEvent) => {
    if (stopped || !detailTypes.includes(event['detail-type'])) return;
    if (options.groupNames && !options.groupNames.includes(event.detail.AutoScalingGroupName)) return;
    const latency = options.latencyMs ?? 0;
    later(latency, () => deliver(event, 1));
    if (dup && random() < dup.rate) later(latency + dup.delayMs, () => deliver(event, 2));
  };
  options.events.on('lifecycle', listener);

  return {
    deliveries,
    async settle() {
      while (timers.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    stop() {
      stopped = true;
      options.events.off('lifecycle', listener);
      for (const timer of timers.keys()) clearTimeout(timer);
      timers.clear();
    },
  };
}
