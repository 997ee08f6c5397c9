/**
 * The gate's decision engine: policy, carried state, observations → CONTINUE | ABANDON | WAIT. Pure: no I/O,
 * no clock reads.
 */
export { BASELINE_LIMITS, type BaselineObservation, baselineFreshForMs } from './baseline';
export { type DecideInput, deadlineAt, decide, needsBaseline, SHARED_COMPONENT_TYPES } from './decide';
export { type Decision, DecisionAction, DecisionReason, isFinal, MAX_DETAIL_LENGTH } from './decision';
export { GateStateError, PolicyError, type PolicyIssue } from './errors';
export {
  boundByHook,
  GLOBAL_TIMEOUT_MARGIN_SECONDS,
  globalTimeoutSeconds,
  HOOK_LIMITS,
  type HookSettings,
  type HookTiming,
  hookTiming,
} from './hook';
export { LaunchStage, launchStage, PENDING_WAIT, WARMED_PENDING_WAIT } from './launch-stage';
export {
  classifyLbView,
  describeViews,
  firstLbReadDelaySeconds,
  judgeViews,
  LbHealth,
  LbVerdict,
  type LbView,
  type LbWatchNext,
  lbSettleSeconds,
  lbWatchNext,
  NOT_REGISTERED,
} from './lb-health';
export { effectivePolicy, type LbHealthCheckSettings, mergeWithLbSettings } from './lb-settings';
export {
  type FailingCheck,
  isFromInstance,
  isPassing,
  nonTransientChecks,
  type ProbeObservation,
  ProbeOutcome,
} from './observation';
export {
  crossFieldIssues,
  DEFAULT_POLICY,
  POLICY_LIMITS,
  type Policy,
  type PolicyField,
  type PolicyInput,
  PRIVATE_IPV4_CIDRS,
  parsePolicy,
  parsePolicyInput,
  pathSchema,
  resolvePolicy,
  SharedOutageMode,
} from './policy';
export {
  ENDED_EC2_STATES,
  judgeMember,
  judgeMembership,
  judgeTarget,
  judgeWarmPool,
  type MembershipFacts,
  type Preflight,
  type TargetFacts,
  type WarmPoolFacts,
} from './preflight';
export {
  compactObservation,
  distrustState,
  GATE_STATE_VERSION,
  type GateState,
  HISTORY_LIMIT,
  initialState,
  latestObservation,
  parseGateState,
  recordBaseline,
  recordHandover,
  recordHeartbeat,
  recordProbe,
  STATE_MAX_BYTES,
} from './state';
export {
  HEARTBEAT_RETRY_MARGIN_MS,
  heartbeatCanWait,
  MAX_EARLY_MS,
  MAX_STEP_DELAY_SECONDS,
  nextWakeAt,
  probeWaitMs,
  type WaitPlan,
  waitPlan,
  withFreshProbe,
} from './step';
export { clip } from './text';
export {
  HEARTBEAT_FRACTION,
  heartbeatDue,
  nextHeartbeatAt,
  nextProbeAt,
  STEP_MARGIN_MS,
} from './timing';
