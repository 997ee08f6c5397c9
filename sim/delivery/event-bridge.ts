/**
 * EventBridge-like delivery of the control plane's lifecycle events: a rule matching `source: aws.autoscaling`
 * and the given detail-types, whose target is a Lambda function (invoked asynchronously, as EventBridge invokes
 * Lambda) or an SQS queue (the event's JSON as the message body, as EventBridge sends it to SQS). Delivery is at
 * least once: with `duplicates` set, some events are delivered a second time.
 */
import type { LifecycleEvent, SimEvents } from '../events';
import type { LambdaFunctions } from '../lambda/functions';
import type { Random } from '../model/ids';
import type { Queues } from '../model/queues';

/** Where a rule sends its events. */
export type DeliveryTarget = { kind: 'lambda'; functionName: string } | { kind: 'sqs'; queueArn: string };

/** When an event is delivered twice. */
export interface DuplicateDelivery {
  /** Share of events delivered twice, in [0, 1]; default 1 (every event). */
  rate?: number;
  /** Real ms between the two deliveries; default 50. */
  delayMs?: number;
}

export interface DeliveryOptions {
  events: SimEvents;
  /** Needed for a Lambda target. */
  functions?: LambdaFunctions;
  /** Needed for an SQS target. */
  queues?: Queues;
  /** The rule's target: a registered function's name (a string), or a function or queue. */
  target: string | DeliveryTarget;
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
  /** The function's name or the queue's ARN. */
  target: string;
  /** 1, or 2 for a duplicate. */
  copy: number;
  /** The async invocation's request id (Lambda target); absent when the invoke was refused. */
  requestId?: string;
  /** The message's id (SQS target); absent when the send was refused. */
  messageId?: string;
  error?: string;
}

/** A running rule. */
export interface Delivery {
  readonly deliveries: readonly DeliveryRecord[];
  /** Resolves once every scheduled delivery was handed to its target. */
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
 * const toQueue = deliverLifecycleEvents({ events: sim.events, queues: sim.model.queues,
 *   target: { kind: 'sqs', queueArn: steps.arn } });
 */
export function deliverLifecycleEvents(options: DeliveryOptions): Delivery {
  const target: DeliveryTarget =
    typeof options.target === 'string' ? { kind: 'lambda', functionName: options.target } : options.target;
  const send = targetSender(target, options);
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
      target: target.kind === 'lambda' ? target.functionName : target.queueArn,
      copy,
    };
    try {
      Object.assign(record, send(event));
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

/** Hands one event to the target; what the target answered goes into the delivery record. */
function targetSender(
  target: DeliveryTarget,
  options: DeliveryOptions,
): (event: LifecycleEvent) => Pick<DeliveryRecord, 'requestId' | 'messageId'> {
  if (target.kind === 'lambda') {
    const functions = options.functions;
    if (!functions) throw new TypeError('a Lambda target needs `functions`');
    return (event) => ({ requestId: functions.invokeAsync(target.functionName, event).requestId });
  }
  const queues = options.queues;
  if (!queues) throw new TypeError('an SQS target needs `queues`');
  return (event) => {
    const queue = queues.findByArn(target.queueArn);
    if (!queue) throw new Error(`no queue ${target.queueArn}`);
    return { messageId: queue.send({ body: JSON.stringify(event) }).messageId };
  };
}
