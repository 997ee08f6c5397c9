/**
 * The one place that says what a load balancer's view of an instance means. The launch gate's watch after
 * CONTINUE, the rollback check and the deploy driver each act on it differently, but they read views the same
 * way. Pure.
 */

/** One load balancer's (or target group's) view of an instance, as DescribeInstanceHealth / DescribeTargetHealth give it. */
export interface LbView {
  kind: 'classic' | 'target-group';
  /** Load balancer name or target group ARN. */
  name: string;
  /** Classic: InService | OutOfService | Unknown; target group: initial | healthy | unhealthy | unused | draining | … */
  state: string;
  reason?: string;
  description?: string;
}

/** What a view means. */
export const LbHealth = {
  /** Classic InService, target `healthy`. */
  healthy: 'healthy',
  /** A clear verdict of failed health checks: classic "…UnhealthyThreshold…", target `unhealthy`. */
  failed: 'failed',
  /** Not judged yet: registering or running its first checks, or not registered yet. */
  registering: 'registering',
  /** Anything else (draining, unavailable, an OutOfService without a stated cause): not serving. */
  other: 'other',
} as const;
export type LbHealth = (typeof LbHealth)[keyof typeof LbHealth];

/** The reason code the adapters give an instance a classic load balancer does not know (yet). */
export const NOT_REGISTERED = 'NotRegistered';

// A classic LB reports OutOfService both while registering and after failing; only these words tell which.
const CLASSIC_FAILED = /UnhealthyThreshold/i;
// While it registers an instance, a classic LB says either of these; neither is a verdict yet.
const CLASSIC_REGISTERING =
  /registration is still in progress|has not passed the configured HealthyThreshold/i;

/**
 * What one view means.
 *
 * @example
 * classifyLbView({ kind: 'target-group', name: arn, state: 'initial' }); // 'registering'
 */
export function classifyLbView(view: LbView): LbHealth {
  if (view.kind === 'classic') {
    if (view.state === 'InService') return LbHealth.healthy;
    if (view.state === 'Unknown' || view.reason === NOT_REGISTERED) return LbHealth.registering;
    if (view.state === 'OutOfService') {
      if (view.reason === 'Instance' && CLASSIC_FAILED.test(view.description ?? '')) return LbHealth.failed;
      if (CLASSIC_REGISTERING.test(view.description ?? '')) return LbHealth.registering;
    }
    return LbHealth.other;
  }
  switch (view.state) {
    case 'healthy':
      return LbHealth.healthy;
    case 'unhealthy':
    case 'unhealthy.draining':
      return LbHealth.failed;
    case 'initial':
    case 'unused':
      return LbHealth.registering;
    default:
      return LbHealth.other;
  }
}

/** What the load balancers, together, say about an instance the gate continued. */
export const LbVerdict = {
  /** Every load balancer and target group judges it healthy (or there is none to ask). */
  healthy: 'healthy',
  /** At least one says it failed its health checks: the LB disagrees with the gate. */
  unhealthy: 'unhealthy',
  /** Not decided yet. */
  pending: 'pending',
} as const;
export type LbVerdict = (typeof LbVerdict)[keyof typeof LbVerdict];

/**
 * The gate's verdict from every view: unhealthy when any clearly failed, healthy only when all are, otherwise
 * pending (only a clear failure counts against a fresh instance; the watch's deadline covers the rest).
 */
export function judgeViews(views: readonly LbView[]): LbVerdict {
  const health = views.map(classifyLbView);
  if (health.includes(LbHealth.failed)) return LbVerdict.unhealthy;
  if (health.every((h) => h === LbHealth.healthy)) return LbVerdict.healthy;
  return LbVerdict.pending;
}

/** A one-line description of the views, for logs and the decision's detail. */
export function describeViews(views: readonly LbView[]): string {
  if (views.length === 0) return 'no load balancer attached';
  return views
    .map(
      (v) =>
        `${v.name}: ${v.state}${v.reason ? ` (${v.reason}${v.description ? `: ${v.description}` : ''})` : ''}`,
    )
    .join('; ');
}

/**
 * The soonest any of the load balancers can call a newly registered instance healthy: `healthyThreshold` checks
 * `intervalSeconds` apart, the slowest of them (0 when none says). The watch reads no sooner: an earlier read can
 * only say "registering".
 */
export function lbSettleSeconds(
  checks: readonly { intervalSeconds?: number; healthyThreshold?: number }[],
): number {
  let settle = 0;
  for (const c of checks) {
    if (c.intervalSeconds !== undefined && c.healthyThreshold !== undefined) {
      settle = Math.max(settle, c.intervalSeconds * c.healthyThreshold);
    }
  }
  return Number.isFinite(settle) ? settle : 0;
}

/**
 * When the watch's first read comes, in whole seconds after the CONTINUE: once the load balancers can have
 * settled, but at the latest halfway through the watch (so it reads more than once before its end), and never
 * sooner than one probe interval.
 */
export function firstLbReadDelaySeconds(
  settleSeconds: number,
  policy: { intervalSeconds: number; lbVerifySeconds: number },
): number {
  return Math.ceil(Math.max(policy.intervalSeconds, Math.min(settleSeconds, policy.lbVerifySeconds / 2)));
}

/** What the gate's watch does after one read of the load balancers. */
export type LbWatchNext = 'verified' | 'disagrees' | 'wait';

/**
 * The watch after CONTINUE: verified on a healthy verdict, disagreeing on an unhealthy one or when `until` has
 * passed without a healthy one, otherwise another read.
 */
export function lbWatchNext(input: { verdict: LbVerdict; now: number; until: number }): LbWatchNext {
  if (input.verdict === LbVerdict.healthy) return 'verified';
  if (input.verdict === LbVerdict.unhealthy) return 'disagrees';
  // Written as !(now < until) so a NaN time counts as passed: the watch always ends.
  return !(input.now < input.until) ? 'disagrees' : 'wait';
}
