/** The deploy drivers (blue/green and rolling): public API. */
export { type DeployDeps, type DeployRequest, deployBlueGreen, MAX_POLL_ERRORS } from './driver';
export { DeployRequestError } from './errors';
export {
  DeletionCause,
  type DeployEvent,
  type DeployEventType,
  type RefreshSettings,
  RollbackBy,
  SetUpPart,
  type VerdictSummary,
} from './events';
export { modelOnServing, newGroupName, ServingGroupError, type ServingModel } from './from-serving';
export { createGroupInput, DEPLOY_ID_TAG, type NewGroupSpec, VERSION_TAG } from './group-input';
export { healthTerminations } from './health-terminations';
export {
  acquireDeployLock,
  type DeployLock,
  type DeployLockDeps,
  DeployLockHeldError,
  DeployLockLostError,
  deployLockParameter,
  type LockHolder,
} from './lock';
export { type GroupLook, type ObserveDeps, observe } from './observe';
export { DeployFailure, DeployOutcome, type DeployResult, DeployStrategy } from './outcome';
export {
  assessProgress,
  type GroupObservation,
  isLbHealthy,
  type ObservedInstance,
  type Progress,
  type ProgressLimits,
} from './progress';
export {
  canaryCheckpoints,
  ROLLING_DEFAULTS,
  type RollingPreferenceOverrides,
  rollingPreferences,
} from './refresh-preferences';
export { deployRolling, type RollingDeployDeps, type RollingDeployRequest } from './rolling';
export {
  judgeRolling,
  type RollingInstance,
  type RollingLimits,
  type RollingMemory,
  type RollingObservation,
  type RollingStep,
} from './rolling-judge';
