import type {
  AutoScalingAdapter,
  Ec2Adapter,
  ElbAdapter,
  ElbV2Adapter,
  GroupDescription,
  GroupInstance,
} from '../aws';
import { errorMessage } from '../observability';
import type { ProbeOptions, ProbeResult } from '../probe';
import { mapWithConcurrency } from './concurrency';
import {
  fleetVerdict,
  type HealthObservation,
  type InstanceObservation,
  LB_STATE_UNREADABLE,
  type LbObservation,
  type Verdict,
  type VerdictFinding,
} from './verdict';

/** How to probe a group's instances: the fields of the gate's policy the check needs. */
export interface ProbeSettings {
  port: number;
  path: string;
  timeoutSeconds: number;
  /** Ranges the instances' private IPs must lie in; the probe's default (RFC 1918) when absent. */
  probeCidrs?: readonly string[];
}

/** Instances probed (and described in EC2) at once, by default. */
export const DEFAULT_INSPECT_CONCURRENCY = 10;

/** What {@link inspectGroup} calls: adapters and the probe, all injected. */
export interface InspectDeps {
  autoscaling: Pick<AutoScalingAdapter, 'describeGroup' | 'describeLifecycleHooks'>;
  ec2: Pick<Ec2Adapter, 'describeInstance'>;
  elb: Pick<ElbAdapter, 'describeInstanceHealth'>;
  elbv2: Pick<ElbV2Adapter, 'describeTargetHealth'>;
  /** The group's probe settings (its policy merged with its load balancers' checks, as the gate does). */
  probeSettings(group: GroupDescription): Promise<ProbeSettings>;
  /** The guarded probe of shared/probe: it refuses any address outside `probeCidrs`. */
  probe(options: ProbeOptions): Promise<ProbeResult>;
  fetch?: typeof fetch;
  /** Headers sent with each probe (e.g. the health token). */
  probeHeaders?: Readonly<Record<string, string>>;
  now?: () => number;
  /** Default {@link DEFAULT_INSPECT_CONCURRENCY}. */
  concurrency?: number;
}

/** One instance in the report. */
export interface InstanceReport extends InstanceObservation {
  privateIp?: string;
  probeLatencyMs?: number;
  /** The launch template version Auto Scaling launched it from. */
  launchTemplateVersion?: string;
}

/** The rollback check's answer for a group. */
export interface RollbackReport {
  group: string;
  checkedAt: string;
  verdict: Verdict;
  /** Every finding, those of the winning verdict first. */
  reasons: VerdictFinding[];
  /** Versions reported by InService instances, with how many report each. */
  versions: Record<string, number>;
  /** Where each instance was probed. */
  probe: { port: number; path: string };
  instances: InstanceReport[];
}

/** The transition of the hooks that gate launches. */
const LAUNCHING_TRANSITION = 'autoscaling:EC2_INSTANCE_LAUNCHING';

/** Lifecycle states whose instances are probed: serving, or held by the launch gate. */
const PROBED_STATES = new Set(['InService', 'Pending:Wait', 'Pending:Proceed']);

/**
 * Observes every instance of a group (lifecycle state, load balancers' states, deep health, version) and
 * judges it with {@link fleetVerdict}. A probe never throws; an unreadable load balancer makes a `hold`, not an
 * exception. Throws only when the group itself cannot be described (e.g. GroupNotFoundError) or its policy
 * cannot be loaded.
 *
 * @example
 * const report = await inspectGroup({ autoscaling, ec2, elb, elbv2, probe, probeSettings }, 'web-green');
 * if (report.verdict === 'rollback') await removeGroup('web-green');
 */
export async function inspectGroup(
  deps: InspectDeps,
  groupName: string,
  options: { signal?: AbortSignal } = {},
): Promise<RollbackReport> {
  const now = deps.now ?? Date.now;
  const group = await deps.autoscaling.describeGroup(groupName);
  const settings = await deps.probeSettings(group);
  const lbStates = await readLbStates(deps, group);

  const instances = await mapWithConcurrency(
    group.instances,
    deps.concurrency ?? DEFAULT_INSPECT_CONCURRENCY,
    (instance) => inspectInstance(deps, settings, instance, lbStates.get(instance.instanceId) ?? [], options),
  );

  const versions: Record<string, number> = {};
  for (const i of instances) {
    if (i.lifecycleState === 'InService' && i.version) versions[i.version] = (versions[i.version] ?? 0) + 1;
  }
  const failOpenHooks = (await deps.autoscaling.describeLifecycleHooks(groupName))
    .filter((h) => h.transition === LAUNCHING_TRANSITION && h.defaultResult === 'CONTINUE')
    .map((h) => h.name);
  const { verdict, reasons } = fleetVerdict(instances, { failOpenHooks });
  return {
    group: groupName,
    checkedAt: new Date(now()).toISOString(),
    verdict,
    reasons,
    versions,
    probe: { port: settings.port, path: settings.path },
    instances,
  };
}

async function readLbStates(
  deps: InspectDeps,
  group: { instances: GroupInstance[]; loadBalancerNames: string[]; targetGroupArns: string[] },
): Promise<Map<string, LbObservation[]>> {
  const ids = group.instances.map((i) => i.instanceId);
  const states = new Map<string, LbObservation[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return states;
  const unreadable = (target: string, kind: LbObservation['kind'], error: unknown) => {
    for (const id of ids) {
      states.get(id)?.push({ target, kind, state: LB_STATE_UNREADABLE, description: errorMessage(error) });
    }
  };

  for (const name of group.loadBalancerNames) {
    try {
      for (const h of await deps.elb.describeInstanceHealth(name, ids)) {
        states.get(h.instanceId)?.push({
          target: name,
          kind: 'classic',
          state: h.state,
          ...(h.reasonCode ? { reasonCode: h.reasonCode } : {}),
          ...(h.description ? { description: h.description } : {}),
        });
      }
    } catch (error) {
      unreadable(name, 'classic', error);
    }
  }
  for (const arn of group.targetGroupArns) {
    try {
      const byId = new Map((await deps.elbv2.describeTargetHealth(arn)).map((t) => [t.id, t]));
      for (const id of ids) {
        const t = byId.get(id);
        // Not in the answer: not registered (yet), as DescribeTargetHealth reports such a target itself.
        const reasonCode = t ? t.reason : 'Target.NotRegistered';
        states.get(id)?.push({
          target: arn,
          kind: 'target-group',
          state: t?.state ?? 'unused',
          ...(reasonCode ? { reasonCode } : {}),
          ...(t?.description ? { description: t.description } : {}),
        });
      }
    } catch (error) {
      unreadable(arn, 'target-group', error);
    }
  }
  return states;
}

async function inspectInstance(
  deps: InspectDeps,
  settings: ProbeSettings,
  instance: GroupInstance,
  lb: LbObservation[],
  options: { signal?: AbortSignal },
): Promise<InstanceReport> {
  const base: InstanceReport = {
    instanceId: instance.instanceId,
    lifecycleState: instance.lifecycleState,
    healthStatus: instance.healthStatus,
    lb,
    ...(instance.launchTemplateVersion ? { launchTemplateVersion: instance.launchTemplateVersion } : {}),
  };
  if (!PROBED_STATES.has(instance.lifecycleState)) return base;

  let privateIp: string | undefined;
  try {
    privateIp = (await deps.ec2.describeInstance(instance.instanceId)).privateIp;
  } catch (error) {
    return { ...base, health: { outcome: 'error', failingChecks: [], error: errorMessage(error) } };
  }
  if (!privateIp) {
    return { ...base, health: { outcome: 'error', failingChecks: [], error: 'no private IP address' } };
  }
  // Only the private IP EC2 reports is ever probed, and the probe's guard checks it against the CIDRs.
  const result = await deps.probe({
    address: privateIp,
    port: settings.port,
    path: settings.path,
    timeoutMs: settings.timeoutSeconds * 1000,
    expectedInstanceId: instance.instanceId,
    ...(settings.probeCidrs ? { allowedCidrs: settings.probeCidrs } : {}),
    ...(deps.probeHeaders ? { headers: deps.probeHeaders } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const health: HealthObservation = {
    outcome: result.outcome,
    failingChecks: result.failingChecks.map((c) => ({ name: c.name, transient: c.transient })),
    ...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
    ...(result.error ? { error: result.error } : {}),
  };
  // A body from another instance (a reused address) says nothing about this one's version.
  const version = result.outcome === 'error' ? undefined : result.body?.version;
  return {
    ...base,
    privateIp,
    probeLatencyMs: result.latencyMs,
    health,
    ...(version ? { version } : {}),
  };
}
