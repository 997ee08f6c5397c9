export { createLambdaClient, type HandOver, HandOverError, lambdaHandOver } from '../aws';
export { countAbandonedLaunches, isAbandonedLaunch } from './abandons';
export { BASELINE_GROUP_TAG, baselineGroupOf } from './baseline-group';
export { type Budget, createBudget, sleep } from './budget';
export {
  CONTINUATION_MARKER,
  CONTINUATION_VERSION,
  type Continuation,
  ContinuationSchema,
  type GateContinuation,
  isContinuation,
  type LbVerifyContinuation,
  type LbVerifyProgress,
  type ParsedContinuation,
  Phase,
  parseContinuation,
} from './continuation';
export {
  type ClassifiedEvent,
  classifyEvent,
  EventKind,
  LAUNCH_DETAIL_TYPE,
  LAUNCHING_TRANSITION,
  type LifecycleAction,
  type LifecycleEvent,
  LifecycleEventSchema,
  TEST_NOTIFICATION,
  WARM_POOL_DESTINATION,
} from './event';
export { createHealthTokenSource, HealthTokenMissingError, type HealthTokenSource } from './health-token';
export { type LbHealthCheck, readLbHealthChecks } from './lb-settings';
export {
  describeViews,
  judgeView,
  judgeViews,
  type LbTargetView,
  LbVerdict,
  readLbViews,
} from './lb-verdict';
export {
  BASELINE_INSTANCES,
  CompletionFailedError,
  FALLBACK_HEARTBEAT_TIMEOUT_SECONDS,
  type LaunchGateDeps,
  type LaunchOutcome,
  LB_ROUND_ALLOWANCE_MS,
  MembershipUnverifiedError,
  runLaunchGate,
} from './run-gate';
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
