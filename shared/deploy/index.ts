/** The blue/green deploy driver: public API. */
export { type DeployDeps, type DeployRequest, deployBlueGreen, MAX_POLL_ERRORS } from './driver';
export { DeployRequestError } from './errors';
export { DeletionCause, type DeployEvent, type DeployEventType, type VerdictSummary } from './events';
export { createGroupInput, type NewGroupSpec, VERSION_TAG } from './group-input';
export { DeployFailure, DeployOutcome, type DeployResult } from './outcome';
export {
  assessProgress,
  type GroupObservation,
  isLbHealthy,
  type ObservedInstance,
  type Progress,
  type ProgressLimits,
} from './progress';
