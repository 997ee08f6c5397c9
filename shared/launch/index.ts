/**
 * The launch gate's I/O shell: one step per invocation (run-step), each reading, probing, completing or
 * scheduling; every decision it applies is in shared/gate.
 */
export { type Budget, createBudget, sleep } from './budget';
export { byInstance, complete, completionRef } from './completion';
export type { LaunchGateDeps, ScheduleStep, StepDeps } from './deps';
export { CompletionFailedError, LbVerdictNotRecordedError, MembershipUnverifiedError } from './errors';
export {
  type ClassifiedEvent,
  classifyEvent,
  EventKind,
  LAUNCH_DETAIL_TYPE,
  LAUNCHING_TRANSITION,
  type LifecycleAction,
  type LifecycleEvent,
  LifecycleEventSchema,
  type PartialAction,
  TEST_NOTIFICATION,
  WARM_POOL_DESTINATION,
} from './event';
export { lbWatchAfter, readLbViews } from './lb-watch';
export { LaunchNotWaitingYetError } from './preflight';
export { MAX_ROUNDS_PER_STEP } from './probe-round';
export { BASELINE_INSTANCES } from './probe-step';
export { CLOCK_SKEW_ALLOWANCE_MS, runStep, type StepOutcome } from './run-step';
export { createGateParameterReaders, type GateParameterReaders } from './secrets';
export {
  canonicalJson,
  createStateKeySource,
  MAX_STATE_KEYS,
  MIN_STATE_KEY_LENGTH,
  parseStateKeys,
  type Seal,
  StateKeyInvalidError,
  type StateKeySource,
  type StateKeys,
  seal,
  verifySeal,
} from './state-seal';
export {
  type GateStepMessage,
  isStepMessage,
  type LbStepMessage,
  type LbWatch,
  type ParsedStep,
  Phase,
  parseStepMessage,
  STEP_MARKER,
  STEP_VERSION,
  type StepMessage,
  StepMessageSchema,
  type StepTarget,
} from './step-message';
