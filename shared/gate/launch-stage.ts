/**
 * Where a launch stands, from the instance's lifecycle state as Auto Scaling lists it in the group named by the
 * event. The gate judges, heartbeats and completes only an instance that is itself waiting on the hook: an event
 * (or a continuation) naming an instance in any other state carries an action that is not that instance's. Pure.
 */

/** What the gate does for an instance in each lifecycle state. */
export const LaunchStage = {
  /** `Pending:Wait`: held by a launch hook; the gate judges it. */
  waiting: 'waiting',
  /** Not listed yet, or `Pending`: a listing lags a launch by seconds; look again at the next round. */
  notYet: 'not-yet',
  /** `Pending:Proceed` or `InService`: the launch was continued; only the load balancer's verdict is left. */
  continued: 'continued',
  /** `Terminating…`/`Terminated`: nothing is left to judge. */
  ended: 'ended',
  /** Any other state (standby, detaching, a warm pool): not a launch into the group waiting on a hook. */
  elsewhere: 'elsewhere',
} as const;
export type LaunchStage = (typeof LaunchStage)[keyof typeof LaunchStage];

/** The lifecycle state of an instance held by a launch hook in the group (not in its warm pool). */
export const PENDING_WAIT = 'Pending:Wait';
/** The lifecycle state of an instance held by a launch hook on its way into the warm pool. */
export const WARMED_PENDING_WAIT = 'Warmed:Pending:Wait';

/**
 * The stage of a launch into the group from the instance's lifecycle state (`undefined` when the group does not
 * list it).
 *
 * @example
 * launchStage('Pending:Wait'); // 'waiting'
 * launchStage('InService');    // 'continued'
 */
export function launchStage(lifecycleState: string | undefined): LaunchStage {
  if (lifecycleState === undefined || lifecycleState === '' || lifecycleState === 'Pending') {
    return LaunchStage.notYet;
  }
  if (lifecycleState === PENDING_WAIT) return LaunchStage.waiting;
  if (lifecycleState === 'Pending:Proceed' || lifecycleState === 'InService') return LaunchStage.continued;
  if (lifecycleState.startsWith('Terminat')) return LaunchStage.ended;
  return LaunchStage.elsewhere;
}
