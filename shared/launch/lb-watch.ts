/**
 * After CONTINUE: Auto Scaling registers the instance with its load balancers only now, so the gate reads their
 * own verdict, one read per step, until `until`. A clear failure, or no healthy verdict in time, marks the
 * instance Unhealthy (Auto Scaling replaces it) and records the deployment as failed (`LB_UNHEALTHY`).
 */
import type { ElbAdapter } from '../aws/elb';
import type { ElbV2Adapter } from '../aws/elbv2';
import { isTransientAwsError } from '../aws/errors';
import {
  DecisionReason,
  describeViews,
  judgeMember,
  judgeViews,
  LbVerdict,
  type LbView,
  lbWatchNext,
  type Policy,
} from '../gate';
import { describeError, errorMessage, MetricName, Unit } from '../observability';
import { clipDetail } from './completion';
import type { StepDeps } from './deps';
import { LbVerdictNotRecordedError, MembershipUnverifiedError } from './errors';
import type { LifecycleAction } from './event';
import { attachedOf } from './preflight';
import { scheduleStep } from './schedule';
import { type Attached, type LbWatch, Phase, STEP_MARKER, STEP_VERSION } from './step-message';

/** What a watch step came to. */
export type LbWatchOutcome =
  | { outcome: 'lb-verified'; verdict: LbVerdict; detail: string }
  | { outcome: 'scheduled'; phase: typeof Phase.lbVerify; delaySeconds: number }
  | { outcome: 'stopped'; why: string };

/** The watch that follows a CONTINUE at `continuedAt`. */
export function lbWatchAfter(
  policy: Policy,
  eventTime: number,
  continuedAt: number,
  attached?: Attached,
): LbWatch {
  return {
    eventTime,
    continuedAt,
    until: continuedAt + policy.lbVerifySeconds * 1000,
    intervalMs: Math.max(100, Math.round(policy.intervalSeconds * 1000)),
    reads: 0,
    ...(attached ? { attached } : {}),
  };
}

/** Schedules the watch's next read `delaySeconds` from now (default one interval). */
export async function scheduleLbWatch(
  deps: StepDeps,
  action: LifecycleAction,
  watch: LbWatch,
  delaySeconds = Math.ceil(watch.intervalMs / 1000),
) {
  await scheduleStep(
    deps,
    { healthgate: STEP_MARKER, v: STEP_VERSION, phase: Phase.lbVerify, action, verify: watch },
    delaySeconds,
  );
  return { outcome: 'scheduled' as const, phase: Phase.lbVerify, delaySeconds };
}

/**
 * One read of the load balancers' verdict. The attached load balancers are taken from the step only when it is
 * sealed (an unsealed step could claim none are attached); otherwise the group is read again.
 */
export async function lbWatchStep(
  deps: StepDeps,
  action: LifecycleAction,
  watch: LbWatch,
  sealed: boolean,
): Promise<LbWatchOutcome> {
  const attached =
    sealed && watch.attached
      ? watch.attached
      : attachedOf(await deps.autoscaling.describeGroup(action.group));
  if (attached.loadBalancerNames.length === 0 && attached.targetGroupArns.length === 0) {
    deps.log.info('no load balancer attached: nothing to verify', { phase: Phase.lbVerify });
    return { outcome: 'lb-verified', verdict: LbVerdict.healthy, detail: 'no load balancer attached' };
  }
  let verdict: LbVerdict = LbVerdict.pending;
  let detail: string;
  try {
    const views = await readLbViews(deps, attached, action.instanceId);
    verdict = judgeViews(views);
    detail = describeViews(views);
  } catch (error) {
    if (!isTransientAwsError(error)) {
      // Waiting cannot heal it (access denied, load balancer gone): the CONTINUE is not verified now or later.
      deps.log.error('load balancer read failed (not transient): ending the watch', {
        phase: Phase.lbVerify,
        error: describeError(error),
      });
      return lbDisagrees(deps, action, `load balancer read failed (not transient): ${errorMessage(error)}`);
    }
    // A transient failure is no verdict: keep watching; `until` still bounds the watch.
    detail = `load balancer read failed: ${errorMessage(error)}`;
    deps.log.warn('load balancer read failed', { phase: Phase.lbVerify, error: describeError(error) });
  }
  const now = deps.now();
  switch (lbWatchNext({ verdict, now, until: watch.until })) {
    case 'verified':
      deps.log.info('load balancer agrees: instance healthy', {
        phase: Phase.lbVerify,
        lb: detail,
        secondsAfterContinue: (now - watch.continuedAt) / 1000,
      });
      return { outcome: 'lb-verified', verdict, detail };
    case 'disagrees':
      return lbDisagrees(
        deps,
        action,
        verdict === LbVerdict.unhealthy
          ? detail
          : `not healthy within ${(watch.until - watch.continuedAt) / 1000} s: ${detail}`,
      );
    case 'wait':
      return scheduleLbWatch(deps, action, { ...watch, reads: watch.reads + 1, attached });
  }
}

/**
 * Reads every attached load balancer's view of `instanceId`: classic DescribeInstanceHealth and ELBv2
 * DescribeTargetHealth. Target groups whose health check is disabled give no verdict and are skipped.
 */
export async function readLbViews(
  adapters: { elb: Pick<ElbAdapter, 'describeInstanceHealth'>; elbv2: ElbV2Adapter },
  attached: Attached,
  instanceId: string,
): Promise<LbView[]> {
  const views: LbView[] = [];
  for (const name of attached.loadBalancerNames) {
    const states = await adapters.elb.describeInstanceHealth(name, [instanceId]);
    const own = states.find((s) => s.instanceId === instanceId);
    views.push(
      own
        ? withOptional({ kind: 'classic', name, state: own.state }, own.reasonCode, own.description)
        : { kind: 'classic', name, state: 'Unknown' },
    );
  }
  for (const group of await adapters.elbv2.describeTargetGroups(attached.targetGroupArns)) {
    if (!group.healthCheckEnabled) continue;
    const targets = await adapters.elbv2.describeTargetHealth(group.arn, [{ id: instanceId }]);
    const own = targets.find((t) => t.id === instanceId);
    views.push(
      own
        ? withOptional(
            { kind: 'target-group', name: group.arn, state: own.state },
            own.reason,
            own.description,
          )
        : { kind: 'target-group', name: group.arn, state: 'unused' },
    );
  }
  return views;
}

function withOptional(view: LbView, reason?: string, description?: string): LbView {
  if (reason !== undefined) view.reason = reason;
  if (description !== undefined) view.description = description;
  return view;
}

/**
 * The load balancer fails an instance the gate continued. Only an instance that Auto Scaling itself lists in the
 * action's group is marked, never one of another group (the step's instance and group are claims). The verdict is
 * never dropped: an unreadable membership or a failed mark is thrown, so the step is retried and, after its
 * retries, lands in the dead-letter queue with its alarm.
 */
async function lbDisagrees(deps: StepDeps, action: LifecycleAction, detail: string): Promise<LbWatchOutcome> {
  const clipped = clipDetail(detail);
  let listed: Awaited<ReturnType<StepDeps['autoscaling']['describeInstances']>>;
  try {
    listed = await deps.autoscaling.describeInstances([action.instanceId]);
  } catch (error) {
    deps.log.error('load balancer disagrees, but group membership could not be read: not marked Unhealthy', {
      phase: Phase.lbVerify,
      reason: DecisionReason.LB_UNHEALTHY,
      detail: clipped,
      error: describeError(error),
    });
    throw new MembershipUnverifiedError(
      { group: action.group, instanceId: action.instanceId },
      { cause: error },
    );
  }
  const membership = judgeMember(
    listed.find((i) => i.instanceId === action.instanceId),
    action.group,
    action.instanceId,
  );
  if (!membership.member) {
    deps.log.error('load balancer disagrees, but the instance is not in the group: not marked Unhealthy', {
      phase: Phase.lbVerify,
      why: membership.why,
      detail: clipped,
    });
    return { outcome: 'stopped', why: membership.why };
  }
  deps.metrics.record(action.group, MetricName.LbDisagreements, Unit.Count, 1);
  try {
    await deps.autoscaling.setInstanceHealth(action.instanceId, 'Unhealthy');
  } catch (error) {
    deps.log.error('load balancer disagrees, but the instance could not be marked Unhealthy: retried', {
      phase: Phase.lbVerify,
      reason: DecisionReason.LB_UNHEALTHY,
      detail: clipped,
      error: describeError(error),
    });
    throw new LbVerdictNotRecordedError(
      { group: action.group, instanceId: action.instanceId },
      { cause: error },
    );
  }
  deps.log.error('load balancer disagrees with CONTINUE: instance set Unhealthy, deployment failed', {
    phase: Phase.lbVerify,
    reason: DecisionReason.LB_UNHEALTHY,
    detail: clipped,
  });
  return { outcome: 'lb-verified', verdict: LbVerdict.unhealthy, detail: clipped };
}
