/**
 * The lifecycle hook's own clock, as the gate must respect it. Auto Scaling ends an action that nobody completes:
 * at its heartbeat timeout (unless a heartbeat extends it) and at the latest at its global timeout, with the hook's
 * DefaultResult. The gate has to decide before either, or the hook decides instead of the gate. Pure.
 */
import { PolicyError } from './errors';
import type { Policy } from './policy';

/** Auto Scaling's limits on a lifecycle hook (PutLifecycleHook, HeartbeatTimeout; the global timeout rule). */
export const HOOK_LIMITS = {
  /** HeartbeatTimeout is accepted from 30 s … */
  minHeartbeatTimeoutSeconds: 30,
  /** … to 7200 s. */
  maxHeartbeatTimeoutSeconds: 7200,
  /** An action lasts at most 100 × HeartbeatTimeout … */
  globalTimeoutFactor: 100,
  /** … and never more than 48 hours. */
  maxGlobalTimeoutSeconds: 172_800,
} as const;

/**
 * Seconds kept between the gate's deadline and the hook's global timeout: the last probe round is followed by a
 * CompleteLifecycleAction (with the SDK's retries) that must land while the action is still active.
 */
export const GLOBAL_TIMEOUT_MARGIN_SECONDS = 30;

/** The global timeout of a lifecycle action for a hook's heartbeat timeout. */
export function globalTimeoutSeconds(heartbeatTimeoutSeconds: number): number {
  return Math.min(
    HOOK_LIMITS.globalTimeoutFactor * heartbeatTimeoutSeconds,
    HOOK_LIMITS.maxGlobalTimeoutSeconds,
  );
}

/** A lifecycle hook as DescribeLifecycleHooks reports it (every field may be missing). */
export interface HookSettings {
  heartbeatTimeoutSeconds?: number;
  globalTimeoutSeconds?: number;
  defaultResult?: string;
}

/** The timing the gate works to for one hook. */
export interface HookTiming {
  heartbeatTimeoutSeconds: number;
  globalTimeoutSeconds: number;
  /** The hook continues an instance nobody judged in time (DefaultResult CONTINUE): a fail-open hook. */
  failOpen: boolean;
  /** The hook could not be read (or reported no usable timeout): the timing is AWS's shortest. */
  assumed: boolean;
}

/**
 * The timing of `hook`; when it is unknown (not found, or without a usable timeout) the shortest AWS allows: a
 * heartbeat every {@link HOOK_LIMITS.minHeartbeatTimeoutSeconds} s is harmless if the real hook is longer, and a
 * deadline inside the shortest possible global timeout is inside the real one. An unknown DefaultResult is not
 * assumed fail-open (the hook the gate could not read is reported on its own).
 *
 * @example
 * const timing = hookTiming(hooks.find((h) => h.name === event.hook));
 */
export function hookTiming(hook: HookSettings | undefined): HookTiming {
  const heartbeat = hook?.heartbeatTimeoutSeconds;
  const heartbeatKnown = heartbeat !== undefined && Number.isFinite(heartbeat) && heartbeat > 0;
  // A reported timeout is believed when it is shorter than AWS allows (heartbeating more often is harmless),
  // never beyond AWS's longest.
  const heartbeatTimeoutSeconds = heartbeatKnown
    ? Math.min(heartbeat, HOOK_LIMITS.maxHeartbeatTimeoutSeconds)
    : HOOK_LIMITS.minHeartbeatTimeoutSeconds;
  const global = hook?.globalTimeoutSeconds;
  const globalKnown = global !== undefined && Number.isFinite(global) && global > 0;
  return {
    heartbeatTimeoutSeconds,
    // A reported global timeout is taken as reported, but never past the rule that bounds it.
    globalTimeoutSeconds: Math.min(
      globalKnown ? global : globalTimeoutSeconds(heartbeatTimeoutSeconds),
      globalTimeoutSeconds(heartbeatTimeoutSeconds),
    ),
    failOpen: hook?.defaultResult === 'CONTINUE',
    assumed: !heartbeatKnown,
  };
}

/**
 * The policy with its deadline brought inside the hook's global timeout, less
 * {@link GLOBAL_TIMEOUT_MARGIN_SECONDS} and one probe round, so the gate always decides before the hook does.
 * `bounded` tells whether the deadline was shortened.
 *
 * @throws {PolicyError} when the hook leaves too little time for the policy to reach CONTINUE at all
 *   (`healthyThreshold` probes `intervalSeconds` apart): the policy cannot work with this hook.
 */
export function boundByHook(policy: Policy, timing: HookTiming): { policy: Policy; bounded: boolean } {
  const limit =
    timing.globalTimeoutSeconds -
    GLOBAL_TIMEOUT_MARGIN_SECONDS -
    policy.intervalSeconds -
    policy.timeoutSeconds;
  if (policy.deadlineSeconds <= limit) return { policy, bounded: false };
  const shortest = policy.intervalSeconds * policy.healthyThreshold;
  if (!(limit > shortest)) {
    throw new PolicyError([
      {
        field: 'deadlineSeconds',
        message: `the lifecycle hook's global timeout (${timing.globalTimeoutSeconds} s) leaves ${Math.max(0, limit)} s to decide, not more than intervalSeconds × healthyThreshold (${shortest} s): raise the hook's HeartbeatTimeout or probe faster`,
      },
    ]);
  }
  return { policy: { ...policy, deadlineSeconds: limit }, bounded: true };
}
