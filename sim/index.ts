/** The local AWS control plane: public API. */
export type { FaultRule } from './api/faults';
export type { RequestLog, RequestLogEntry } from './api/request-log';
export type { Faults } from './api/server';
export {
  type Delivery,
  type DeliveryOptions,
  type DeliveryRecord,
  type DeliveryTarget,
  type DuplicateDelivery,
  deliverLifecycleEvents,
} from './delivery/event-bridge';
export { type LifecycleActionDetail, type LifecycleEvent, type SimChange, SimEvents } from './events';
export {
  type BuiltImage,
  buildImage,
  createLightFleet,
  createProcessFleet,
  type FleetEvent,
  FleetLaunchError,
  type FleetProcess,
  formatUserData,
  type ImageSpec,
  type LightBehaviour,
  type LightFleet,
  type LightFleetEvent,
  LightHealth,
  type LightImage,
  type MachineFaults,
  MigrationRunError,
  type ProcessFleet,
  type ProcessFleetOptions,
  runMigrations,
  SimKnob,
} from './fleet/index';
export {
  Concurrency,
  type ConcurrencySample,
  LambdaThrottleError,
  ThrottleReason,
} from './lambda/concurrency';
export {
  BatchOutcome,
  type BatchRecord,
  type EventSourceMappingConfig,
  FunctionResponseType,
  type PollerTuning,
  SqsEventSourceMapping,
} from './lambda/event-source-mapping';
export { type EventSourceMappingConfiguration, EventSourceMappings } from './lambda/event-source-mappings';
export {
  type ContainerFactory,
  type ExpiredRecord,
  type FunctionErrorPayload,
  type FunctionOptions,
  type FunctionStats,
  type InvocationEvent,
  InvocationOutcome,
  type InvocationRecord,
  InvocationType,
  LambdaFunctions,
  type LambdaHandler,
  type SyncInvocationResult,
  type ThrottleRecord,
} from './lambda/functions';
export type { SqsEventRecord } from './lambda/sqs-event';
export {
  APP_CONFIG_PATH,
  type FunctionSpec,
  freePort,
  GateDelivery,
  HEALTH_TOKEN_PARAMETER,
  LAUNCH_GATE_FUNCTION,
  type LocalFleetOptions,
  type LocalStack,
  type LocalStackOptions,
  SIM_PROBE_CIDRS,
  STEP_QUEUE_NAME,
  type StepQueue,
  type StepQueueOptions,
  startLocalStack,
} from './local-stack';
export { ControlPlane, type ControlPlaneOptions } from './model/control-plane';
export { SimError } from './model/errors';
export { type Fleet, type FleetInstance, noopFleet } from './model/fleet';
export { seededRandom } from './model/ids';
export { type IpAllocator, type IpAllocatorOptions, IpReuse, ipAllocator } from './model/ip-allocator';
export {
  Queue,
  type QueueDuplicates,
  type QueueSettings,
  type ReceivedMessage,
  type RedrivePolicy,
} from './model/queue';
export { Queues } from './model/queues';
export { ManualScheduler, realScheduler, type Scheduler } from './model/scheduler';
export { SqsError, SqsErrorCode } from './model/sqs-errors';
export * from './model/types';
export { type Sim, type SimOptions, startSim } from './start-sim';
export { instanceIdOf, Timeline, type TimelineEntry } from './timeline';
