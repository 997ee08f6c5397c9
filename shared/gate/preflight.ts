/**
 * What the gate decides before it probes anything, from facts the I/O shell read (Auto Scaling, EC2, the address
 * guard): whether the instance named by an event is one the gate may judge, and where to probe it. Pure.
 */
import { DecisionReason } from './decision';
import { LaunchStage, launchStage, WARMED_PENDING_WAIT } from './launch-stage';

/** The outcome of a preflight judgement. */
export type Preflight =
  /** Judge the instance: probe it. */
  | { kind: 'gate' }
  /** Abandon at once, without a probe. */
  | { kind: 'abandon'; reason: DecisionReason; detail: string }
  /** The instance is gone or going: nothing to judge (an ABANDON is still sent in case the action outlived it). */
  | { kind: 'ended'; why: string }
  /** The launch was already continued: only its load-balancer watch is owed. */
  | { kind: 'continued'; lifecycleState: string }
  /** Not a launch waiting on a hook in this group: nothing is completed. */
  | { kind: 'stop'; why: string }
  /** Not (yet) listed as waiting: look again at the next step. */
  | { kind: 'not-yet'; why: string };

/** EC2 states of an instance that is gone or going: its launch cannot be judged, nor continued. */
export const ENDED_EC2_STATES: ReadonlySet<string> = new Set(['shutting-down', 'terminated']);

/** What Auto Scaling and EC2 say about the instance an event names. */
export interface MembershipFacts {
  group: string;
  instanceId: string;
  /** False when DescribeAutoScalingGroups does not know the group. */
  groupFound: boolean;
  /** False when DescribeInstances does not know the instance. */
  instanceFound: boolean;
  /** EC2's `aws:autoscaling:groupName` tag, when the instance carries one. */
  tagGroup?: string;
  /** The instance's lifecycle state in the group's listing; undefined when the group does not list it. */
  listedState?: string;
  /** EC2's state (`pending`, `running`, `shutting-down`, …). */
  ec2State?: string;
}

/**
 * Whether the instance is one the gate may judge, in order: the group and the instance exist; the instance
 * belongs to the group (its EC2 tag when it has one, else the group's listing); it is not ended; it is itself
 * waiting on a launch hook (`launchStage`).
 *
 * @example
 * judgeMembership({ group: 'web', instanceId: 'i-1', groupFound: true, instanceFound: true,
 *   tagGroup: 'web', listedState: 'Pending:Wait', ec2State: 'running' }); // { kind: 'gate' }
 */
export function judgeMembership(facts: MembershipFacts): Preflight {
  const { group, instanceId } = facts;
  const notInGroup = (detail: string): Preflight => ({
    kind: 'abandon',
    reason: DecisionReason.INSTANCE_NOT_IN_GROUP,
    detail,
  });
  if (!facts.groupFound) return notInGroup(`auto scaling group ${group} not found`);
  if (!facts.instanceFound) return notInGroup(`instance ${instanceId} not found`);
  const belongs = facts.tagGroup !== undefined ? facts.tagGroup === group : facts.listedState !== undefined;
  if (!belongs) {
    return notInGroup(`instance ${instanceId} belongs to ${facts.tagGroup ?? 'no group'}, not ${group}`);
  }
  if (facts.ec2State !== undefined && ENDED_EC2_STATES.has(facts.ec2State)) {
    return { kind: 'ended', why: `instance ${instanceId} is ${facts.ec2State}: its launch is over` };
  }
  const state = facts.listedState;
  switch (launchStage(state)) {
    case LaunchStage.waiting:
      return { kind: 'gate' };
    case LaunchStage.notYet:
      return {
        kind: 'not-yet',
        why: `instance ${instanceId} is ${state ? state : 'not listed in the group'}, not yet Pending:Wait`,
      };
    case LaunchStage.continued:
      return { kind: 'continued', lifecycleState: state ?? '' };
    case LaunchStage.ended:
      return { kind: 'ended', why: `instance ${instanceId} is ${state}: its launch is over` };
    case LaunchStage.elsewhere:
      return {
        kind: 'stop',
        why: `instance ${instanceId} is ${state}, not waiting on a launch hook in ${group}`,
      };
  }
}

/** What the address guard said about the instance's private address, and about the policy's probe target. */
export interface TargetFacts {
  instanceId: string;
  address?: string;
  /** The address alone (fixed port and path), so a refusal for the address is told from one for the policy. */
  addressCheck: { ok: true } | { ok: false; reason: string };
  /** The full probe target: the address with the policy's port and path. */
  targetCheck: { ok: true } | { ok: false; reason: string };
}

/** Whether the instance may be probed where the policy says: `ADDRESS_NOT_ALLOWED` or `POLICY_INVALID` if not. */
export function judgeTarget(facts: TargetFacts): Preflight {
  if (facts.address === undefined) {
    return {
      kind: 'abandon',
      reason: DecisionReason.ADDRESS_NOT_ALLOWED,
      detail: `instance ${facts.instanceId} has no private address`,
    };
  }
  if (!facts.addressCheck.ok) {
    return { kind: 'abandon', reason: DecisionReason.ADDRESS_NOT_ALLOWED, detail: facts.addressCheck.reason };
  }
  if (!facts.targetCheck.ok) {
    return {
      kind: 'abandon',
      reason: DecisionReason.POLICY_INVALID,
      detail: `probe target refused: ${facts.targetCheck.reason}`,
    };
  }
  return { kind: 'gate' };
}

/** What DescribeAutoScalingInstances said about a warm-pool launch's instance (`error` when it failed). */
export type WarmPoolFacts =
  | { listed: false }
  | { listed: true; groupName: string; lifecycleState: string }
  | { error: string };

/**
 * Whether a launch into a warm pool may be continued without probing: the event's Destination is only a claim,
 * so Auto Scaling itself must list the instance in the event's group, held by the hook on its way into the pool
 * (`Warmed:Pending:Wait`). Any doubt gates it like any launch.
 */
export function judgeWarmPool(
  facts: WarmPoolFacts,
  group: string,
  instanceId: string,
): { ok: true; state: string } | { ok: false; why: string } {
  if ('error' in facts) return { ok: false, why: `DescribeAutoScalingInstances failed: ${facts.error}` };
  if (!facts.listed) return { ok: false, why: `${instanceId} is not listed by Auto Scaling` };
  if (facts.groupName !== group) {
    return { ok: false, why: `${instanceId} belongs to ${facts.groupName || 'no group'}, not ${group}` };
  }
  if (facts.lifecycleState !== WARMED_PENDING_WAIT) {
    return {
      ok: false,
      why: `${instanceId} is ${facts.lifecycleState || 'in no state'}, not ${WARMED_PENDING_WAIT}`,
    };
  }
  return { ok: true, state: facts.lifecycleState };
}

/** Whether Auto Scaling lists the instance in `group` (before marking it Unhealthy): the why when not. */
export function judgeMember(
  listed: { groupName: string } | undefined,
  group: string,
  instanceId: string,
): { member: true } | { member: false; why: string } {
  if (listed?.groupName === group) return { member: true };
  return {
    member: false,
    why: listed
      ? `${instanceId} belongs to ${listed.groupName || 'no group'}, not ${group}`
      : `${instanceId} is no longer in ${group}`,
  };
}
