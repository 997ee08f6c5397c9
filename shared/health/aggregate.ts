import { HealthStatus } from './types.js';

const SEVERITY: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };

/** The worst of `statuses` (fail > warn > pass); an empty list is `pass`. */
export function aggregateStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = HealthStatus.pass;
  for (const status of statuses) {
    if (SEVERITY[status] > SEVERITY[worst]) {
      worst = status;
    }
  }
  return worst;
}

/** 200 for pass and warn (a warning still takes traffic), 503 for fail. */
export function httpStatusFor(status: HealthStatus): 200 | 503 {
  return status === HealthStatus.fail ? 503 : 200;
}

/** Whether `value` is one of the three health states (check outcomes are checked, not trusted). */
export function isHealthStatus(value: unknown): value is HealthStatus {
  return typeof value === 'string' && Object.hasOwn(SEVERITY, value);
}
