import { ClassicInstanceState, type ElbAdapter } from '../aws/elb';
import { type ElbV2Adapter, TargetState } from '../aws/elbv2';

/** What the load balancers, together, say about an instance. */
export const LbVerdict = {
  /** Every load balancer and target group judges it healthy (or there is none to ask). */
  healthy: 'healthy',
  /** At least one says it failed its health checks: the LB disagrees with the gate. */
  unhealthy: 'unhealthy',
  /** Not decided yet (registering, initial checks, not registered yet). */
  pending: 'pending',
} as const;
export type LbVerdict = (typeof LbVerdict)[keyof typeof LbVerdict];

/** One load balancer's (or target group's) view of the instance. */
export interface LbTargetView {
  kind: 'classic' | 'target-group';
  /** Load balancer name or target group ARN. */
  name: string;
  state: string;
  reason?: string;
  description?: string;
}

// A classic LB reports OutOfService both while registering and after failing; only this wording is a failure.
const CLASSIC_FAILED = /UnhealthyThreshold/i;

/** The verdict of one view. Unknown or ambiguous states are pending: only a clear failure is unhealthy. */
export function judgeView(view: LbTargetView): LbVerdict {
  if (view.kind === 'classic') {
    if (view.state === ClassicInstanceState.InService) return LbVerdict.healthy;
    if (
      view.state === ClassicInstanceState.OutOfService &&
      view.reason === 'Instance' &&
      CLASSIC_FAILED.test(view.description ?? '')
    ) {
      return LbVerdict.unhealthy;
    }
    return LbVerdict.pending;
  }
  switch (view.state) {
    case TargetState.healthy:
      return LbVerdict.healthy;
    case TargetState.unhealthy:
    case TargetState.unhealthyDraining:
      return LbVerdict.unhealthy;
    default:
      return LbVerdict.pending;
  }
}

/** Combines the views: unhealthy if any is, healthy only if all are, otherwise pending. */
export function judgeViews(views: readonly LbTargetView[]): LbVerdict {
  const verdicts = views.map(judgeView);
  if (verdicts.includes(LbVerdict.unhealthy)) return LbVerdict.unhealthy;
  if (verdicts.every((v) => v === LbVerdict.healthy)) return LbVerdict.healthy;
  return LbVerdict.pending;
}

/** A one-line description of the views, for logs and the decision's detail. */
export function describeViews(views: readonly LbTargetView[]): string {
  if (views.length === 0) return 'no load balancer attached';
  return views
    .map(
      (v) =>
        `${v.name}: ${v.state}${v.reason ? ` (${v.reason}${v.description ? `: ${v.description}` : ''})` : ''}`,
    )
    .join('; ');
}

/**
 * Reads every attached load balancer's view of `instanceId`: classic DescribeInstanceHealth and ELBv2
 * DescribeTargetHealth. Target groups whose health check is disabled give no verdict and are skipped.
 */
export async function readLbViews(
  adapters: { elb: Pick<ElbAdapter, 'describeInstanceHealth'>; elbv2: ElbV2Adapter },
  attached: { loadBalancerNames: readonly string[]; targetGroupArns: readonly string[] },
  instanceId: string,
): Promise<LbTargetView[]> {
  const views: LbTargetView[] = [];
  for (const name of attached.loadBalancerNames) {
    const states = await adapters.elb.describeInstanceHealth(name, [instanceId]);
    const own = states.find((s) => s.instanceId === instanceId);
    views.push(
      own
        ? withOptional({ kind: 'classic', name, state: own.state }, own.reasonCode, own.description)
        : { kind: 'classic', name, state: ClassicInstanceState.Unknown },
    );
  }
  const groups = await adapters.elbv2.describeTargetGroups(attached.targetGroupArns);
  for (const group of groups) {
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
        : { kind: 'target-group', name: group.arn, state: TargetState.unused },
    );
  }
  return views;
}

function withOptional(view: LbTargetView, reason?: string, description?: string): LbTargetView {
  if (reason !== undefined) view.reason = reason;
  if (description !== undefined) view.description = description;
  return view;
}
