/**
 * When the gate probes and heartbeats. Pure: the caller passes the time.
 */
import { deadlineAt } from './decide';
import type { Policy } from './policy';
import type { GateState } from './state';

/**
 * Slack the gate keeps between a heartbeat falling due and its being recorded: the step that records it may run
 * up to a second late (a queue delay is whole seconds) and makes its probe and calls first.
 */
export const STEP_MARGIN_MS = 10_000;

/** Share of the hook's HeartbeatTimeout after which the gate heartbeats: half, well before it expires. */
export const HEARTBEAT_FRACTION = 0.5;

/**
 * When the next heartbeat is due: `lastHeartbeatAt` + half the hook's HeartbeatTimeout, epoch ms. A
 * missing or invalid timeout makes it due at once (a needless heartbeat is harmless; a missed one abandons).
 */
export function nextHeartbeatAt(state: GateState, heartbeatTimeoutSeconds: number): number {
  if (!Number.isFinite(heartbeatTimeoutSeconds) || heartbeatTimeoutSeconds <= 0) {
    return state.lastHeartbeatAt;
  }
  return state.lastHeartbeatAt + heartbeatTimeoutSeconds * 1000 * HEARTBEAT_FRACTION;
}

/**
 * Whether to record a lifecycle heartbeat now: half the hook's HeartbeatTimeout has passed since the last one
 * (or since the action started).
 *
 * @example
 * if (heartbeatDue(state, now, hook.HeartbeatTimeout)) { await heartbeat(); state = recordHeartbeat(state, now); }
 */
export function heartbeatDue(state: GateState, now: number, heartbeatTimeoutSeconds: number): boolean {
  return now >= nextHeartbeatAt(state, heartbeatTimeoutSeconds);
}

/**
 * When to start the next probe, epoch ms: one interval after the latest probe started (at once when none was
 * recorded: `startedAt`), never later than the deadline, so a waiting gate wakes in time to decide. A time in
 * the past means now.
 */
export function nextProbeAt(state: GateState, policy: Policy): number {
  const latest = state.history[state.history.length - 1];
  if (!latest) {
    return state.startedAt;
  }
  return Math.min(latest.at + policy.intervalSeconds * 1000, deadlineAt(state, policy));
}
