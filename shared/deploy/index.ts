/** The blue/green deploy driver: public API. */
export { type DeployDeps, type DeployRequest, deployBlueGreen, MAX_POLL_ERRORS } from './driver';
export { DeployRequestError } from './errors';
export {
  DeletionCause,
  type DeployEvent,
  type DeployEventType,
  SetUpPart,
  type VerdictSummary,
} from './events';
export { modelOnServing, newGroupName, ServingGroupError, type ServingModel } from './from-serving';
export { createGroupInput, DEPLOY_ID_TAG, type NewGroupSpec, VERSION_TAG } from './group-input';
export {
  acquireDeployLock,
  type DeployLock,
  type DeployLockDeps,
  DeployLockHeldError,
  DeployLockLostError,
  deployLockParameter,
  type LockHolder,
} from './lock';
export { DeployFailure, DeployOutcome, type DeployResult } from './outcome';
export {
  assessProgress,
  type GroupObservation,
  isLbHealthy,
  type ObservedInstance,
  type Progress,
  type ProgressLimits,
} from './progress';
