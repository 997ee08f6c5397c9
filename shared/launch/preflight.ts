/**
 * The first step's reads: the group's policy, the group and the instance, the hook, the load balancers' health
 * checks. What they mean is decided in shared/gate (judgeMembership, judgeTarget, mergeWithLbSettings,
 * boundByHook); this file only reads, in an order that stops at the first answer.
 */
import type { GroupDescription } from '../aws/autoscaling';
import type { Ec2Instance } from '../aws/ec2';
import { GroupNotFoundError, InstanceNotFoundError, PolicyInvalidError } from '../aws/errors';
import { readLbHealthChecks } from '../aws/lb-health-checks';
import {
  boundByHook,
  type Decision,
  DecisionAction,
  type DecisionReason,
  effectivePolicy,
  type HookTiming,
  hookTiming,
  judgeMembership,
  judgeTarget,
  lbSettleSeconds,
  type Policy,
  PolicyError,
  type PolicyInput,
  resolvePolicy,
} from '../gate';
import { errorMessage, MetricName, Unit } from '../observability';
import { checkProbeTarget } from '../probe';
import { clipDetail } from './completion';
import type { StepDeps } from './deps';
import type { LifecycleAction } from './event';
import type { Attached, StepTarget } from './step-message';

/** Where and how to probe, as a step carries it, with the policy validated. */
export type Target = Omit<StepTarget, 'policy'> & { policy: Policy };

/** What the first step's reads came to. */
export type Prepared =
  | { kind: 'target'; target: Target }
  | { kind: 'decision'; decision: Decision }
  | { kind: 'ended'; why: string }
  | { kind: 'stop'; why: string }
  | { kind: 'continued'; lifecycleState: string; attached: Attached };

/** The instance is not (yet) listed as waiting on the hook: a listing lags a launch, so the gate looks again. */
export class LaunchNotWaitingYetError extends Error {
  override readonly name = 'LaunchNotWaitingYetError';
}

/**
 * Resolves where and how to probe the instance, or what ends the gate before any probe. `known.policy` is set as
 * soon as the group's policy is read (bounded by the shortest hook AWS allows), so a step that fails transiently
 * afterwards still keeps the group's deadline.
 *
 * @throws {LaunchNotWaitingYetError} when the group does not list the instance as waiting yet; AWS errors as thrown
 *   (the caller tells transient ones from the rest).
 */
export async function prepare(
  deps: StepDeps,
  action: LifecycleAction,
  known: { policy?: Policy },
): Promise<Prepared> {
  const abandon = (reason: DecisionReason, detail: string): Prepared => ({
    kind: 'decision',
    decision: { action: DecisionAction.ABANDON, reason, detail: clipDetail(detail) },
  });

  let input: PolicyInput;
  try {
    input = (await deps.policies.load(action.group)).policy ?? {};
  } catch (error) {
    if (error instanceof PolicyInvalidError || error instanceof PolicyError) {
      return abandon('POLICY_INVALID', errorMessage(error));
    }
    throw error;
  }
  known.policy = boundOrAsIs(
    resolvePolicy({ ...input, probeCidrs: input.probeCidrs ?? deps.defaultProbeCidrs }),
    hookTiming(undefined),
  );

  let group: GroupDescription | undefined;
  let instance: Ec2Instance | undefined;
  try {
    group = await deps.autoscaling.describeGroup(action.group);
    instance = await deps.ec2.describeInstance(action.instanceId);
  } catch (error) {
    if (!(error instanceof GroupNotFoundError || error instanceof InstanceNotFoundError)) throw error;
  }
  const membership = judgeMembership({
    group: action.group,
    instanceId: action.instanceId,
    groupFound: group !== undefined,
    instanceFound: instance !== undefined,
    tagGroup: instance?.groupName,
    listedState: group?.instances.find((i) => i.instanceId === action.instanceId)?.lifecycleState,
    ec2State: instance?.state,
  });
  if (membership.kind === 'abandon') return abandon(membership.reason, membership.detail);
  if (membership.kind === 'not-yet') throw new LaunchNotWaitingYetError(membership.why);
  if (membership.kind !== 'gate') {
    return membership.kind === 'continued'
      ? { kind: 'continued', lifecycleState: membership.lifecycleState, attached: attachedOf(group!) }
      : membership;
  }
  // Both exist once membership is judged `gate`.
  const [g, i] = [group!, instance!];
  deps.log.appendKeys({ launchTemplateVersion: i.launchTemplateVersion ?? g.launchTemplate?.version });

  const hooks = await deps.autoscaling.describeLifecycleHooks(action.group);
  const timing = hookTiming(hooks.find((h) => h.name === action.hook));
  reportHookTiming(deps, action, timing);

  let policy: Policy;
  let lbChecks: Awaited<ReturnType<typeof readLbHealthChecks>> = [];
  try {
    lbChecks = await readLbHealthChecks(deps, g);
    const bounded = boundByHook(
      effectivePolicy(input, { defaultProbeCidrs: deps.defaultProbeCidrs, lbChecks }),
      timing,
    );
    policy = bounded.policy;
    if (bounded.bounded) {
      deps.log.warn("deadline shortened to decide before the hook's global timeout", {
        deadlineSeconds: policy.deadlineSeconds,
        globalTimeoutSeconds: timing.globalTimeoutSeconds,
      });
    }
  } catch (error) {
    if (error instanceof PolicyError) return abandon('POLICY_INVALID', errorMessage(error));
    throw error;
  }
  known.policy = policy;

  const address = i.privateIp;
  const verdict = judgeTarget({
    instanceId: action.instanceId,
    ...(address !== undefined ? { address } : {}),
    // The address alone first (fixed port and path), so a refusal for the address is told from one for the policy.
    addressCheck: checkProbeTarget({
      address: address ?? '',
      port: 80,
      path: '/',
      allowedCidrs: policy.probeCidrs,
    }),
    targetCheck: checkProbeTarget({
      address: address ?? '',
      port: policy.port,
      path: policy.path,
      allowedCidrs: policy.probeCidrs,
    }),
  });
  if (verdict.kind === 'abandon') return abandon(verdict.reason, verdict.detail);
  return {
    kind: 'target',
    target: {
      address: address!,
      policy,
      heartbeatTimeoutSeconds: timing.heartbeatTimeoutSeconds,
      attached: attachedOf(g),
      lbSettleSeconds: Math.min(7200, lbSettleSeconds(lbChecks)),
    },
  };
}

/** The load balancers attached to a group. */
export function attachedOf(group: GroupDescription): Attached {
  return { loadBalancerNames: group.loadBalancerNames, targetGroupArns: group.targetGroupArns };
}

function boundOrAsIs(policy: Policy, timing: HookTiming): Policy {
  try {
    return boundByHook(policy, timing).policy;
  } catch (error) {
    // Refused with the hook's real timing later, where it becomes POLICY_INVALID.
    if (error instanceof PolicyError) return policy;
    throw error;
  }
}

/** An unreadable hook is worked around (AWS's shortest timing); a fail-open hook is reported loudly. */
function reportHookTiming(deps: StepDeps, action: LifecycleAction, timing: HookTiming): void {
  if (timing.assumed) {
    deps.log.warn('lifecycle hook not found or without a usable heartbeat timeout: assuming the shortest', {
      hook: action.hook,
      assumedHeartbeatTimeoutSeconds: timing.heartbeatTimeoutSeconds,
      assumedGlobalTimeoutSeconds: timing.globalTimeoutSeconds,
    });
  }
  if (timing.failOpen) {
    deps.metrics.record(action.group, MetricName.FailOpenHooks, Unit.Count, 1);
    deps.log.error(
      'lifecycle hook is fail-open (DefaultResult CONTINUE): a launch the gate cannot decide in time goes live unjudged; set DefaultResult ABANDON',
      { hook: action.hook },
    );
  }
}
