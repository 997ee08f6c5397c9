/** The local AWS control plane: public API. */
export type { FaultRule } from './api/faults';
export type { RequestLog, RequestLogEntry } from './api/request-log';
export type { Faults } from './api/server';
export { type LifecycleActionDetail, type LifecycleEvent, type SimChange, SimEvents } from './events';
export { type Fleet, type FleetInstance, noopFleet } from './fleet';
export { ControlPlane, type ControlPlaneOptions } from './model/control-plane';
export { SimError } from './model/errors';
export { seededRandom } from './model/ids';
export { type IpAllocator, type IpAllocatorOptions, IpReuse, ipAllocator } from './model/ip-allocator';
export { ManualScheduler, realScheduler, type Scheduler } from './model/scheduler';
export * from './model/types';
export { type Sim, type SimOptions, startSim } from './start-sim';
