/**
 * How the lifecycle hook's timing must relate to the gate's policy, as a pure function: the templates, the deploy
 * driver and the gate's defaults can each be checked against it.
 */
import { globalTimeoutSeconds, HEARTBEAT_FRACTION, HOOK_LIMITS, STEP_MARGIN_MS } from '../gate';
import type { FleetSettings } from './settings';

export { globalTimeoutSeconds };
/** The hard limit on one lifecycle action: 100 × HeartbeatTimeout, at most 48 hours (Auto Scaling's rule). */
export const MAX_GLOBAL_TIMEOUT_SECONDS = HOOK_LIMITS.maxGlobalTimeoutSeconds;
/** Auto Scaling accepts heartbeat timeouts from 30 s to 7200 s. */
export const HEARTBEAT_TIMEOUT_RANGE = {
  min: HOOK_LIMITS.minHeartbeatTimeoutSeconds,
  max: HOOK_LIMITS.maxHeartbeatTimeoutSeconds,
} as const;
/** Probe rounds a heartbeat timeout keeps beyond the gate's longest heartbeat gap, so one slow round does not abandon. */
export const HEARTBEAT_SLACK_ROUNDS = 1;

/** The parts of the gate's policy that bear on the hook (structural, so any policy object with them fits). */
export interface GateTiming {
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  deadlineSeconds: number;
  /** How long the gate watches the LB's verdict after CONTINUE. */
  lbVerifySeconds?: number;
  /**
   * The gate's longest gap between heartbeats; when absent, derived from the gate's own scheme (shared/gate):
   * a heartbeat once {@link HEARTBEAT_FRACTION} of the hook's timeout has passed, noticed at the end of a probe
   * round, plus the hand-over margin.
   */
  heartbeatSeconds?: number;
  port?: number;
  path?: string;
}

/** Why a hook and a policy disagree. */
export const HookTimingViolationCode = {
  heartbeatOutOfRange: 'heartbeat-out-of-range',
  heartbeatTooShort: 'heartbeat-too-short',
  deadlinePastGlobalTimeout: 'deadline-past-global-timeout',
  continueUnreachable: 'continue-unreachable',
  graceShorterThanLb: 'grace-shorter-than-lb',
  graceShorterThanLbVerify: 'grace-shorter-than-lb-verify',
  notFailClosed: 'not-fail-closed',
  notElbHealthCheck: 'not-elb-health-check',
  probeTargetMismatch: 'probe-target-mismatch',
} as const;
export type HookTimingViolationCode = (typeof HookTimingViolationCode)[keyof typeof HookTimingViolationCode];

export interface HookTimingViolation {
  code: HookTimingViolationCode;
  detail: string;
}

/** The gate's longest gap between heartbeats under a policy, for a hook with `heartbeatTimeoutSeconds`. */
export function gateHeartbeatGapSeconds(policy: GateTiming, heartbeatTimeoutSeconds: number): number {
  if (policy.heartbeatSeconds !== undefined) {
    return policy.heartbeatSeconds;
  }
  const round = policy.intervalSeconds + policy.timeoutSeconds;
  return heartbeatTimeoutSeconds * HEARTBEAT_FRACTION + round + STEP_MARGIN_MS / 1000;
}

/**
 * Every way `settings` and the gate's `policy` disagree; an empty list means they fit:
 * - the heartbeat timeout is within Auto Scaling's range and outlasts the gate's longest heartbeat gap by
 *   {@link HEARTBEAT_SLACK_ROUNDS} probe round;
 * - the gate decides (deadline, one more probe round and the completion) before the action's global timeout;
 * - a CONTINUE is reachable before the deadline (H passes, one interval apart);
 * - the hook abandons on timeout, and the group replaces what the LB fails (HealthCheckType ELB);
 * - the grace period (counted from InService) covers the LB's time to healthy and the gate's LB verification;
 * - when the policy names a port or path, it is the one the LB checks.
 *
 * @example
 * checkHookTiming(FLEET_SETTINGS, DEFAULT_POLICY); // []
 */
export function checkHookTiming(settings: FleetSettings, policy: GateTiming): HookTimingViolation[] {
  const violations: HookTimingViolation[] = [];
  const heartbeat = settings.lifecycleHook.heartbeatTimeoutSeconds;
  const lb = settings.loadBalancerHealthCheck;
  const grace = settings.groupHealthCheck.gracePeriodSeconds;
  const add = (code: HookTimingViolationCode, detail: string) => violations.push({ code, detail });

  if (heartbeat < HEARTBEAT_TIMEOUT_RANGE.min || heartbeat > HEARTBEAT_TIMEOUT_RANGE.max) {
    add(
      HookTimingViolationCode.heartbeatOutOfRange,
      `heartbeat timeout ${heartbeat} s is outside ${HEARTBEAT_TIMEOUT_RANGE.min}-${HEARTBEAT_TIMEOUT_RANGE.max} s`,
    );
  }
  const gap = gateHeartbeatGapSeconds(policy, heartbeat);
  const needed = gap + HEARTBEAT_SLACK_ROUNDS * (policy.intervalSeconds + policy.timeoutSeconds);
  if (heartbeat < needed) {
    add(
      HookTimingViolationCode.heartbeatTooShort,
      `heartbeat timeout ${heartbeat} s is under the gate's heartbeat gap (${gap} s) plus ${HEARTBEAT_SLACK_ROUNDS} probe round (${needed} s)`,
    );
  }
  const lastWord = policy.deadlineSeconds + policy.intervalSeconds + policy.timeoutSeconds;
  const global = globalTimeoutSeconds(heartbeat);
  if (lastWord >= global) {
    add(
      HookTimingViolationCode.deadlinePastGlobalTimeout,
      `the gate may decide at ${lastWord} s, not before the action's global timeout (${global} s)`,
    );
  }
  const firstContinue = (policy.healthyThreshold - 1) * policy.intervalSeconds + policy.timeoutSeconds;
  if (firstContinue > policy.deadlineSeconds) {
    add(
      HookTimingViolationCode.continueUnreachable,
      `${policy.healthyThreshold} passes take at least ${firstContinue} s, past the ${policy.deadlineSeconds} s deadline`,
    );
  }
  if (settings.lifecycleHook.defaultResult !== 'ABANDON') {
    add(
      HookTimingViolationCode.notFailClosed,
      `the hook's default result is ${settings.lifecycleHook.defaultResult}`,
    );
  }
  if (settings.groupHealthCheck.type !== 'ELB') {
    add(
      HookTimingViolationCode.notElbHealthCheck,
      `the group's health check type is ${settings.groupHealthCheck.type}`,
    );
  }
  const lbTimeToHealthy = lb.healthyThreshold * lb.intervalSeconds + lb.timeoutSeconds;
  if (grace < lbTimeToHealthy) {
    add(
      HookTimingViolationCode.graceShorterThanLb,
      `grace period ${grace} s is under the LB's time to healthy (${lbTimeToHealthy} s)`,
    );
  }
  if (policy.lbVerifySeconds !== undefined && grace < policy.lbVerifySeconds) {
    add(
      HookTimingViolationCode.graceShorterThanLbVerify,
      `grace period ${grace} s is under the gate's LB verification window (${policy.lbVerifySeconds} s)`,
    );
  }
  if (
    (policy.port !== undefined && policy.port !== lb.port) ||
    (policy.path !== undefined && policy.path !== lb.path)
  ) {
    add(
      HookTimingViolationCode.probeTargetMismatch,
      `the gate probes ${policy.port ?? lb.port}${policy.path ?? lb.path}, the LB checks ${lb.port}${lb.path}`,
    );
  }
  return violations;
}
