export { createRollbackCheck, type RollbackCheck, type RollbackCheckOptions } from './check';
export { RollbackInputError } from './errors';
export { formatReport } from './format';
export { parseRollbackInput, type RollbackCheckInput, RollbackCheckInputSchema } from './input';
export {
  DEFAULT_INSPECT_CONCURRENCY,
  type InspectDeps,
  type InstanceReport,
  inspectGroup,
  type ProbeSettings,
  type RollbackReport,
} from './inspect';
export { policyProbeSettings } from './probe-settings';
export { recordReportMetrics } from './report-metrics';
export {
  fleetVerdict,
  type HealthObservation,
  type InstanceObservation,
  judgeInstance,
  LB_STATE_UNREADABLE,
  type LbObservation,
  Verdict,
  type VerdictFinding,
  VerdictReason,
} from './verdict';
