/**
 * The load balancer's per-target verdict as a pure state machine: consecutive passes/failures against the
 * healthy/unhealthy thresholds, and how classic ELB and ELBv2 each report it.
 */

/** Why one health check failed (ELBv2 reason codes without the `Target.` prefix). */
export const CheckFailure = {
  ResponseCodeMismatch: 'ResponseCodeMismatch',
  Timeout: 'Timeout',
  FailedHealthChecks: 'FailedHealthChecks',
} as const;
export type CheckFailure = (typeof CheckFailure)[keyof typeof CheckFailure];

/** The outcome of one health check. */
export type CheckResult =
  | { ok: true }
  | { ok: false; failure: CheckFailure; statusCode?: number; detail?: string };

export const TargetStatus = { initial: 'initial', healthy: 'healthy', unhealthy: 'unhealthy' } as const;
export type TargetStatus = (typeof TargetStatus)[keyof typeof TargetStatus];

export interface TargetHealth {
  status: TargetStatus;
  checks: number;
  consecutiveOk: number;
  consecutiveFail: number;
  lastFailure?: Extract<CheckResult, { ok: false }>;
}

export interface Thresholds {
  healthy: number;
  unhealthy: number;
}

/** A freshly registered target: no check yet. */
export const initialHealth = (): TargetHealth => ({
  status: 'initial',
  checks: 0,
  consecutiveOk: 0,
  consecutiveFail: 0,
});

/** Folds one check result into the target's health. */
export const applyCheck = (
  state: TargetHealth,
  result: CheckResult,
  thresholds: Thresholds,
): TargetHealth => {
  const checks = state.checks + 1;
  if (result.ok) {
    const consecutiveOk = state.consecutiveOk + 1;
    const status = consecutiveOk >= thresholds.healthy ? 'healthy' : state.status;
    return {
      status,
      checks,
      consecutiveOk,
      consecutiveFail: 0,
      lastFailure: status === 'healthy' ? undefined : state.lastFailure,
    };
  }
  const consecutiveFail = state.consecutiveFail + 1;
  const status = consecutiveFail >= thresholds.unhealthy ? 'unhealthy' : state.status;
  return { status, checks, consecutiveOk: 0, consecutiveFail, lastFailure: result };
};

/** Classic ELB `InstanceState` for a registered instance. */
export const classicInstanceState = (
  health: TargetHealth,
): { State: 'InService' | 'OutOfService'; ReasonCode: 'ELB' | 'Instance' | 'N/A'; Description: string } => {
  if (health.status === 'healthy') return { State: 'InService', ReasonCode: 'N/A', Description: 'N/A' };
  if (health.status === 'unhealthy') {
    return {
      State: 'OutOfService',
      ReasonCode: 'Instance',
      Description:
        'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.',
    };
  }
  if (health.checks === 0) {
    return {
      State: 'OutOfService',
      ReasonCode: 'ELB',
      Description: 'Instance registration is still in progress.',
    };
  }
  return {
    State: 'OutOfService',
    ReasonCode: 'Instance',
    Description:
      'Instance has not passed the configured HealthyThreshold number of health checks consecutively.',
  };
};

/** ELBv2 `TargetHealth` for a registered (or draining) target. */
export const v2TargetHealth = (
  health: TargetHealth,
  draining: boolean,
): { State: string; Reason?: string; Description?: string } => {
  if (draining) {
    return {
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      Description: 'Target deregistration is in progress',
    };
  }
  if (health.status === 'healthy') return { State: 'healthy' };
  if (health.status === 'initial') {
    return {
      State: 'initial',
      Reason: 'Elb.RegistrationInProgress',
      Description: 'Target registration is in progress',
    };
  }
  const failure = health.lastFailure;
  if (failure?.failure === 'ResponseCodeMismatch') {
    return {
      State: 'unhealthy',
      Reason: 'Target.ResponseCodeMismatch',
      Description: `Health checks failed with these codes: [${failure.statusCode ?? ''}]`,
    };
  }
  if (failure?.failure === 'Timeout')
    return { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' };
  return { State: 'unhealthy', Reason: 'Target.FailedHealthChecks', Description: 'Health checks failed' };
};
