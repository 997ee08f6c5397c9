/**
 * Lambda's event source mappings for SQS queues: created with CreateEventSourceMapping's parameters and rules
 * (batch size and window ranges, a batch size above 10 only with a window, `MaximumConcurrency` 2–1,000, a
 * function timeout no longer than the queue's visibility timeout, one mapping per queue and function), then
 * polling until deleted or the sim closes.
 */
import { SimError } from '../model/errors';
import type { Queues } from '../model/queues';
import { functionArn } from './context';
import {
  type BatchRecord,
  type EventSourceMappingConfig,
  FunctionResponseType,
  type PollerTuning,
  SqsEventSourceMapping,
} from './event-source-mapping';
import type { LambdaFunctions } from './functions';

/** What the mappings need. */
export interface EventSourceMappingsDeps {
  functions: LambdaFunctions;
  queues: Queues;
  region: string;
  accountId: string;
  uuid: () => string;
  /** The queues' clock (the scheduler's). */
  clock: () => number;
  onBatch?: (batch: BatchRecord) => void;
}

/** GetEventSourceMapping's answer, for the fields an SQS mapping has. */
export interface EventSourceMappingConfiguration {
  UUID: string;
  EventSourceArn: string;
  FunctionArn: string;
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  FunctionResponseTypes: FunctionResponseType[];
  ScalingConfig?: { MaximumConcurrency: number };
  State: 'Enabled' | 'Disabled';
  StateTransitionReason: 'USER_INITIATED';
  LastModified: Date;
}

const validation = (value: unknown, member: string, constraint: string) =>
  new SimError(
    'InvalidParameterValueException',
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );

const checkRange = (value: number | undefined, member: string, min: number, max: number) => {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min) {
    throw validation(value, member, `Member must have value greater than or equal to ${min}`);
  }
  if (value > max) throw validation(value, member, `Member must have value less than or equal to ${max}`);
};

/**
 * The mappings.
 *
 * @example
 * const mapping = sim.eventSourceMappings.create({
 *   EventSourceArn: queue.arn,
 *   FunctionName: 'healthgate-launch-gate',
 *   FunctionResponseTypes: ['ReportBatchItemFailures'],
 * });
 */
export class EventSourceMappings {
  private readonly mappings = new Map<string, SqsEventSourceMapping>();

  constructor(private readonly deps: EventSourceMappingsDeps) {}

  /** CreateEventSourceMapping: validates, then starts polling (unless `Enabled: false`). */
  create(config: EventSourceMappingConfig, tuning?: PollerTuning): SqsEventSourceMapping {
    const { functions, queues } = this.deps;
    const fn = functions.configuration(config.FunctionName);
    const queue = queues.findByArn(config.EventSourceArn);
    if (!queue) {
      throw new SimError(
        'InvalidParameterValueException',
        `Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist. (${config.EventSourceArn})`,
      );
    }
    checkRange(config.BatchSize, 'batchSize', 1, 10_000);
    checkRange(config.MaximumBatchingWindowInSeconds, 'maximumBatchingWindowInSeconds', 0, 300);
    checkRange(config.ScalingConfig?.MaximumConcurrency, 'scalingConfig.maximumConcurrency', 2, 1000);
    if ((config.BatchSize ?? 10) > 10 && (config.MaximumBatchingWindowInSeconds ?? 0) < 1) {
      throw new SimError(
        'InvalidParameterValueException',
        'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
      );
    }
    for (const type of config.FunctionResponseTypes ?? []) {
      if (!Object.values(FunctionResponseType).includes(type)) {
        throw validation(
          `[${(config.FunctionResponseTypes ?? []).join(', ')}]`,
          'functionResponseTypes',
          'Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]',
        );
      }
    }
    const timeoutSeconds = Math.ceil(fn.timeoutMs / 1000);
    if (queue.settings.visibilityTimeout < timeoutSeconds) {
      throw new SimError(
        'InvalidParameterValueException',
        `Queue visibility timeout: ${queue.settings.visibilityTimeout} seconds is less than Function timeout: ${timeoutSeconds} seconds`,
      );
    }
    for (const existing of this.mappings.values()) {
      if (existing.config.EventSourceArn === queue.arn && existing.config.FunctionName === fn.name) {
        throw new SimError(
          'ResourceConflictException',
          `An event source mapping with SQS arn (" ${queue.arn} ") and function (" ${fn.name} ") already exists. Please update or delete the existing mapping with UUID ${existing.uuid}`,
          409,
        );
      }
    }
    const mapping = new SqsEventSourceMapping(
      { ...config, FunctionName: fn.name },
      {
        uuid: this.deps.uuid(),
        queue,
        region: this.deps.region,
        functionName: fn.name,
        functions,
        clock: this.deps.clock,
        ...(tuning ? { tuning } : {}),
        ...(this.deps.onBatch ? { onBatch: this.deps.onBatch } : {}),
      },
    );
    this.mappings.set(mapping.uuid, mapping);
    mapping.start();
    return mapping;
  }

  /** GetEventSourceMapping. */
  get(uuid: string): SqsEventSourceMapping {
    const mapping = this.mappings.get(uuid);
    if (!mapping) {
      throw new SimError(
        'ResourceNotFoundException',
        `The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${uuid})`,
        404,
      );
    }
    return mapping;
  }

  list(): SqsEventSourceMapping[] {
    return [...this.mappings.values()];
  }

  /** The mapping in GetEventSourceMapping's shape. */
  describe(uuid: string): EventSourceMappingConfiguration {
    const m = this.get(uuid);
    return {
      UUID: m.uuid,
      EventSourceArn: m.config.EventSourceArn,
      FunctionArn: functionArn(this.deps.region, this.deps.accountId, m.config.FunctionName),
      BatchSize: m.batchSize,
      MaximumBatchingWindowInSeconds: m.windowSeconds,
      FunctionResponseTypes: m.reportFailures ? [FunctionResponseType.ReportBatchItemFailures] : [],
      ...(m.config.ScalingConfig?.MaximumConcurrency !== undefined
        ? { ScalingConfig: { MaximumConcurrency: m.config.ScalingConfig.MaximumConcurrency } }
        : {}),
      State: m.state,
      StateTransitionReason: 'USER_INITIATED',
      LastModified: m.lastModified,
    };
  }

  /** DeleteEventSourceMapping: stops polling; batches being processed finish. */
  async delete(uuid: string): Promise<void> {
    const mapping = this.get(uuid);
    this.mappings.delete(uuid);
    await mapping.stop();
  }

  /** Stops every mapping (the sim is closing). */
  async stop(): Promise<void> {
    await Promise.all([...this.mappings.values()].map((m) => m.stop()));
  }
}
