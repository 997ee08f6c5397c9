export {
  checkProbeTarget,
  DEFAULT_PROBE_CIDRS,
  MAX_PROBE_PATH_LENGTH,
  type TargetCheck,
} from './address-guard';
export { failingChecks, type ParsedHealthBody, parseHealthBody } from './health-body';
export { DEFAULT_MAX_BODY_BYTES, MAX_PROBE_TIMEOUT_MS, probe } from './probe';
export { type FailingCheck, type ProbeOptions, ProbeOutcome, type ProbeResult } from './types';
