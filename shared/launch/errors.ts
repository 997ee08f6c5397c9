import type { Decision } from '../gate';

/** CompleteLifecycleAction itself failed: the decision is logged and the error rethrown, so the step is retried. */
export class CompletionFailedError extends Error {
  override readonly name = 'CompletionFailedError';
  constructor(
    readonly decision: Decision,
    readonly context: { group: string; instanceId?: string },
    options: { cause?: unknown } = {},
  ) {
    super(
      `could not complete the lifecycle action of ${context.instanceId ?? `a launch into ${context.group}`} with ${decision.action} (${decision.reason})`,
      options,
    );
  }
}

/**
 * The load balancer disagreed with a CONTINUE, but the instance's group membership could not be read, so it was
 * not marked Unhealthy: logged with the verdict and thrown, so the step is retried and, after the retries, lands
 * in the dead-letter queue (with its alarm).
 */
export class MembershipUnverifiedError extends Error {
  override readonly name = 'MembershipUnverifiedError';
  constructor(
    readonly context: { group: string; instanceId: string },
    options: { cause?: unknown } = {},
  ) {
    super(
      `could not verify that ${context.instanceId} belongs to ${context.group}: not marked Unhealthy`,
      options,
    );
  }
}

/**
 * The load balancer disagreed with a CONTINUE and the instance is in the group, but marking it Unhealthy failed:
 * logged with the verdict and thrown, so the step is retried and, after the retries, lands in the dead-letter
 * queue. Never swallowed: that instance would serve while the LB fails it.
 */
export class LbVerdictNotRecordedError extends Error {
  override readonly name = 'LbVerdictNotRecordedError';
  constructor(
    readonly context: { group: string; instanceId: string },
    options: { cause?: unknown } = {},
  ) {
    super(
      `the load balancer fails ${context.instanceId} of ${context.group}, but it could not be marked Unhealthy`,
      options,
    );
  }
}

/**
 * The next step could not be queued (SendMessage failed past the SDK's retries): thrown, so the current step is
 * delivered again and schedules it then. Abandoning instead would terminate a healthy instance for a queue's
 * hiccup; waiting loses nothing but one probe (and the hook's timeout still bounds it).
 */
export class StepNotScheduledError extends Error {
  override readonly name = 'StepNotScheduledError';
  constructor(
    readonly context: { group: string; instanceId: string; phase: string },
    options: { cause?: unknown } = {},
  ) {
    super(`could not schedule the next ${context.phase} step of ${context.instanceId}`, options);
  }
}

/** Errors a step throws on purpose, so that it is delivered again (and, after its retries, dead-lettered). */
export function isRetriedError(error: unknown): boolean {
  return (
    error instanceof CompletionFailedError ||
    error instanceof LbVerdictNotRecordedError ||
    error instanceof MembershipUnverifiedError ||
    error instanceof StepNotScheduledError ||
    error instanceof LbWatchNotScheduledError
  );
}

/**
 * The gate continued an instance but could not start the watch of its load balancers' verdict: thrown, so the
 * step is delivered again; the redelivered step finds the launch continued and starts the watch then.
 */
export class LbWatchNotScheduledError extends Error {
  override readonly name = 'LbWatchNotScheduledError';
  constructor(
    readonly context: { group: string; instanceId: string },
    options: { cause?: unknown } = {},
  ) {
    super(
      `continued ${context.instanceId} of ${context.group}, but its load balancer watch was not scheduled`,
      options,
    );
  }
}
