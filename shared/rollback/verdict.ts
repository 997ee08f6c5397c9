/**
 * The fleet verdict of the rollback check: a pure function of what was observed of a group's instances.
 * rollback > hold > proceed: one instance that warrants a rollback decides the whole group.
 */
import { classifyLbView, LbHealth } from '../gate';

/** The three verdicts. */
export const Verdict = { proceed: 'proceed', hold: 'hold', rollback: 'rollback' } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** Why a verdict was reached: a closed set of codes, each with the instance it concerns and a detail. */
export const VerdictReason = {
  /** An InService instance fails a check that will not heal by waiting. */
  NON_TRANSIENT_FAILURE: 'NON_TRANSIENT_FAILURE',
  /** A load balancer judged an InService instance unhealthy after its registration finished. */
  LB_OUT_OF_SERVICE: 'LB_OUT_OF_SERVICE',
  /** Auto Scaling marks an InService instance Unhealthy. */
  INSTANCE_UNHEALTHY: 'INSTANCE_UNHEALTHY',
  /** An instance is still launching (Pending, Pending:Wait, Pending:Proceed). */
  LAUNCHING: 'LAUNCHING',
  /** A failing check that may heal by waiting. */
  TRANSIENT_FAILURE: 'TRANSIENT_FAILURE',
  /** The load balancer is still registering or first checking the instance. */
  LB_REGISTERING: 'LB_REGISTERING',
  /** The load balancer's view could not be read (the call failed): not known healthy, so not proceed. */
  LB_UNKNOWN: 'LB_UNKNOWN',
  /** The instance's /health could not be read (timeout, refused, wrong instance answered). */
  HEALTH_UNKNOWN: 'HEALTH_UNKNOWN',
  /** The group has no InService instance to judge. */
  NO_INSTANCES: 'NO_INSTANCES',
  /**
   * A launch hook of the group is fail-open (DefaultResult CONTINUE): a launch nobody judged in time went live
   * unjudged, so no verdict can vouch for every instance.
   */
  FAIL_OPEN_HOOK: 'FAIL_OPEN_HOOK',
  /** Every InService instance passes, and every load balancer agrees. */
  ALL_HEALTHY: 'ALL_HEALTHY',
} as const;
export type VerdictReason = (typeof VerdictReason)[keyof typeof VerdictReason];

/** One reason for a verdict. */
export interface VerdictFinding {
  verdict: Verdict;
  reason: VerdictReason;
  instanceId?: string;
  detail: string;
}

/** A load balancer's view of one instance. */
export interface LbObservation {
  /** Classic load balancer name or target group ARN. */
  target: string;
  kind: 'classic' | 'target-group';
  /**
   * Classic: InService | OutOfService | Unknown; ELBv2: initial | healthy | unhealthy | unused | draining | …;
   * {@link LB_STATE_UNREADABLE} when the load balancer could not be asked.
   */
  state: string;
  reasonCode?: string;
  description?: string;
}

/** The instance's deep health as probed. */
export interface HealthObservation {
  outcome: 'pass' | 'warn' | 'fail' | 'error';
  httpStatus?: number;
  failingChecks: { name: string; transient: boolean }[];
  error?: string;
}

/** Everything observed of one instance. */
export interface InstanceObservation {
  instanceId: string;
  /** Auto Scaling's lifecycle state: `Pending:Wait`, `InService`, `Terminating`, … */
  lifecycleState: string;
  /** Auto Scaling's `Healthy` | `Unhealthy`. */
  healthStatus?: string;
  lb: LbObservation[];
  health?: HealthObservation;
  version?: string;
}

/** The state recorded when a load balancer's view of an instance could not be read. */
export const LB_STATE_UNREADABLE = 'unreadable';

const LAUNCHING_STATES = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed']);
/** States of instances on their way out (or parked): they neither serve nor block a verdict. */
const IGNORED_PREFIXES = [
  'Terminating',
  'Terminated',
  'Detaching',
  'Detached',
  'EnteringStandby',
  'Standby',
  'Warmed',
];

/** What the load balancer's view means, read the one way shared/gate reads views. */
function lbHealth(lb: LbObservation): LbHealth {
  return classifyLbView({
    kind: lb.kind,
    name: lb.target,
    state: lb.state,
    ...(lb.reasonCode !== undefined ? { reason: lb.reasonCode } : {}),
    ...(lb.description !== undefined ? { description: lb.description } : {}),
  });
}

/** The findings for one instance (empty when it is ignored). */
export function judgeInstance(instance: InstanceObservation): VerdictFinding[] {
  const { instanceId } = instance;
  if (LAUNCHING_STATES.has(instance.lifecycleState)) {
    // A launching instance that already reports a failure waiting will not heal is a broken version, not a
    // slow one: the gate will abandon it, and every replacement of the same version fails the same way.
    const permanent =
      instance.health?.outcome === 'fail' ? instance.health.failingChecks.filter((c) => !c.transient) : [];
    if (permanent.length > 0) {
      return [
        {
          verdict: 'rollback',
          reason: 'NON_TRANSIENT_FAILURE',
          instanceId,
          detail: `launching (${instance.lifecycleState}) and failing: ${permanent.map((c) => c.name).join(', ')}`,
        },
      ];
    }
    return [
      {
        verdict: 'hold',
        reason: 'LAUNCHING',
        instanceId,
        detail: `lifecycle state ${instance.lifecycleState}`,
      },
    ];
  }
  if (instance.lifecycleState !== 'InService') {
    if (IGNORED_PREFIXES.some((p) => instance.lifecycleState.startsWith(p))) return [];
    return [
      {
        verdict: 'hold',
        reason: 'LAUNCHING',
        instanceId,
        detail: `lifecycle state ${instance.lifecycleState}`,
      },
    ];
  }

  const findings: VerdictFinding[] = [];
  if (instance.healthStatus === 'Unhealthy') {
    findings.push({
      verdict: 'rollback',
      reason: 'INSTANCE_UNHEALTHY',
      instanceId,
      detail: 'Auto Scaling marks the instance Unhealthy',
    });
  }
  for (const lb of instance.lb) {
    const health = lbHealth(lb);
    if (health === LbHealth.healthy) continue;
    const what = `${lb.target}: ${lb.state}${lb.reasonCode ? ` (${lb.reasonCode})` : ''}`;
    if (lb.state === LB_STATE_UNREADABLE) {
      findings.push({
        verdict: 'hold',
        reason: 'LB_UNKNOWN',
        instanceId,
        detail: `${lb.target}: ${lb.description ?? 'could not be read'}`,
      });
      continue;
    }
    findings.push(
      health === LbHealth.registering
        ? { verdict: 'hold', reason: 'LB_REGISTERING', instanceId, detail: what }
        : { verdict: 'rollback', reason: 'LB_OUT_OF_SERVICE', instanceId, detail: what },
    );
  }

  const health = instance.health;
  if (!health || health.outcome === 'error') {
    findings.push({
      verdict: 'hold',
      reason: 'HEALTH_UNKNOWN',
      instanceId,
      detail: health?.error ?? 'not probed',
    });
  } else if (health.outcome === 'fail') {
    const permanent = health.failingChecks.filter((c) => !c.transient);
    if (permanent.length > 0) {
      findings.push({
        verdict: 'rollback',
        reason: 'NON_TRANSIENT_FAILURE',
        instanceId,
        detail: `failing: ${permanent.map((c) => c.name).join(', ')}`,
      });
    } else {
      const names = health.failingChecks.map((c) => c.name);
      findings.push({
        verdict: 'hold',
        reason: 'TRANSIENT_FAILURE',
        instanceId,
        detail:
          names.length > 0
            ? `failing (transient): ${names.join(', ')}`
            : `status fail (HTTP ${health.httpStatus ?? '?'})${health.error ? `: ${health.error}` : ''}`,
      });
    }
  }
  return findings;
}

/** The verdict for a group and every reason behind it (the reasons of the winning verdict first). */
export function fleetVerdict(
  instances: readonly InstanceObservation[],
  group: { failOpenHooks?: readonly string[] } = {},
): {
  verdict: Verdict;
  reasons: VerdictFinding[];
} {
  const findings = [
    ...(group.failOpenHooks ?? []).map(
      (hook): VerdictFinding => ({
        verdict: 'hold',
        reason: 'FAIL_OPEN_HOOK',
        detail: `launch hook ${hook} has DefaultResult CONTINUE: a launch the gate cannot decide in time goes live unjudged; set it to ABANDON`,
      }),
    ),
    ...instances.flatMap(judgeInstance),
  ];
  const inService = instances.filter((i) => i.lifecycleState === 'InService');
  if (inService.length === 0 && findings.length === 0) {
    return {
      verdict: 'hold',
      reasons: [{ verdict: 'hold', reason: 'NO_INSTANCES', detail: 'the group has no InService instance' }],
    };
  }
  const rank: Record<Verdict, number> = { rollback: 2, hold: 1, proceed: 0 };
  if (findings.length === 0) {
    return {
      verdict: 'proceed',
      reasons: [
        {
          verdict: 'proceed',
          reason: 'ALL_HEALTHY',
          detail: `${inService.length} instance(s) InService, healthy on every load balancer and on /health`,
        },
      ],
    };
  }
  const sorted = [...findings].sort((a, b) => rank[b.verdict] - rank[a.verdict]);
  return { verdict: sorted[0]!.verdict, reasons: sorted };
}
