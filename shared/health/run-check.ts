import { isHealthStatus } from './aggregate.js';
import { HealthCheckTimeoutError } from './errors.js';
import { sanitiseMessage } from './sanitise.js';
import type { CheckEntry, CheckOutcome, HealthCheck } from './types.js';

/** What running one check needs from outside: the clock, and literals to redact from outputs. */
export interface RunCheckDeps {
  now: () => number;
  secrets: readonly string[];
}

/**
 * Runs `check` once, bounded by its `timeoutMs`: it never rejects and never outlives the bound.
 * On timeout the check's AbortSignal fires (reason: {@link HealthCheckTimeoutError}) and its late result is ignored.
 */
export async function runCheck(check: HealthCheck, deps: RunCheckDeps): Promise<CheckEntry> {
  const startedAt = deps.now();
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new HealthCheckTimeoutError(check.name, check.timeoutMs));
      resolve('timeout');
    }, check.timeoutMs);
  });
  // A check that throws synchronously is treated like one that rejects.
  const ran = Promise.resolve()
    .then(() => check.run(controller.signal))
    .then(
      (outcome) => ({ ok: true as const, outcome }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  try {
    const result = await Promise.race([ran, timedOut]);
    if (result === 'timeout') {
      return toEntry(
        check,
        startedAt,
        { status: 'fail', output: `timed out after ${check.timeoutMs} ms` },
        deps,
      );
    }
    if (!result.ok) {
      return toEntry(
        check,
        startedAt,
        { status: 'fail', output: sanitiseMessage(result.error, deps.secrets) },
        deps,
      );
    }
    return toEntry(check, startedAt, validOutcome(result.outcome), deps);
  } finally {
    clearTimeout(timer);
  }
}

function validOutcome(outcome: unknown): CheckOutcome {
  if (typeof outcome !== 'object' || outcome === null || !isHealthStatus((outcome as CheckOutcome).status)) {
    return { status: 'fail', output: 'check returned no valid status' };
  }
  return outcome as CheckOutcome;
}

function toEntry(
  check: HealthCheck,
  startedAt: number,
  outcome: CheckOutcome,
  deps: RunCheckDeps,
): CheckEntry {
  const entry: CheckEntry = {
    status: outcome.status,
    componentType: check.componentType,
    time: new Date(startedAt).toISOString(),
  };
  if (outcome.observedValue !== undefined) {
    entry.observedValue = outcome.observedValue;
  }
  if (outcome.observedUnit !== undefined) {
    entry.observedUnit = outcome.observedUnit;
  }
  if (outcome.output !== undefined) {
    // Checks' own outputs are sanitised too: a check author may interpolate an error into its output.
    entry.output = sanitiseMessage(outcome.output, deps.secrets);
  } else if (outcome.status !== 'pass') {
    entry.output = `${outcome.status} without explanation`;
  }
  const transient = outcome.transient ?? check.transient;
  if (outcome.status === 'fail' && !transient) {
    entry.transient = false;
  }
  return entry;
}
