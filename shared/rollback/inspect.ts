import type { AutoScalingAdapter, Ec2Adapter, ElbAdapter, ElbV2Adapter } from '../aws';
import type { ProbeOptions, ProbeResult } from '../probe';
import {
  fleetVerdict,
  type HealthObservation,
  type InstanceObservation,
  type LbObservation,
  type Verdict,
  type VerdictFinding,
} from './verdict';

/** How to probe a group's instances: the fields of the gate's policy the check needs. */
export interface ProbeSettings {
  port: number;
  path: string;
  timeoutSeconds: number;
  probeCidrs?: readonly string[];
}

/** What {@link inspectGroup} calls. */
export interface InspectDeps {
  autoscaling: Pick<AutoScalingAdapter, 'describeGroup'>;
  ec2: Pick<Ec2Adapter, 'describeInstance'>;
  elb: Pick<ElbAdapter, 'describeInstanceHealth'>;
  elbv2: Pick<ElbV2Adapter, 'describeTargetHealth'>;
  /** The group's probe settings (its policy, merged with its load balancers' checks). */
  probeSettings(group: string): Promise<ProbeSettings>;
  probe(options: ProbeOptions): Promise<ProbeResult>;
  fetch?: typeof fetch;
  /** Headers sent with each probe (e.g. the health token). */
  probeHeaders?: Readonly<Record<string, string>>;
  now?: () => number;
}

/** One instance in the report. */
export interface InstanceReport extends InstanceObservation {
  privateIp?: string;
  probeLatencyMs?: number;
}

/** The rollback check's answer for a group. */
export interface RollbackReport {
  group: string;
  checkedAt: string;
  verdict: Verdict;
  reasons: VerdictFinding[];
  /** Versions reported by InService instances, with how many report each. */
  versions: Record<string, number>;
  instances: InstanceReport[];
}

/**
 * Observes every instance of a group (lifecycle state, load balancers' states, deep health, version) and
 * judges it with {@link fleetVerdict}. Instances are probed concurrently; a probe never throws.
 */
export async function inspectGroup(
  deps: InspectDeps,
  groupName: string,
  options: { signal?: AbortSignal } = {},
): Promise<RollbackReport> {
  const now = deps.now ?? Date.now;
  const group = await deps.autoscaling.describeGroup(groupName);
  const ids = group.instances.map((i) => i.instanceId);
  const settings = await deps.probeSettings(groupName);

  const lbStates = new Map<string, LbObservation[]>(ids.map((id) => [id, []]));
  if (ids.length > 0) {
    for (const name of group.loadBalancerNames) {
      for (const h of await deps.elb.describeInstanceHealth(name, ids)) {
        lbStates.get(h.instanceId)?.push({
          target: name,
          kind: 'classic',
          state: h.state,
          ...(h.reasonCode ? { reasonCode: h.reasonCode } : {}),
          ...(h.description ? { description: h.description } : {}),
        });
      }
    }
    for (const arn of group.targetGroupArns) {
      const targets = await deps.elbv2.describeTargetHealth(arn);
      const byId = new Map(targets.map((t) => [t.id, t]));
      for (const id of ids) {
        const t = byId.get(id);
        lbStates.get(id)?.push({
          target: arn,
          kind: 'target-group',
          state: t?.state ?? 'unused',
          reasonCode: t?.reason ?? 'Target.NotRegistered',
          ...(t?.description ? { description: t.description } : {}),
        });
      }
    }
  }

  const instances = await Promise.all(
    group.instances.map(async (instance): Promise<InstanceReport> => {
      const base: InstanceReport = {
        instanceId: instance.instanceId,
        lifecycleState: instance.lifecycleState,
        healthStatus: instance.healthStatus,
        lb: lbStates.get(instance.instanceId) ?? [],
      };
      if (!['InService', 'Pending:Wait', 'Pending:Proceed'].includes(instance.lifecycleState)) return base;
      let privateIp: string | undefined;
      try {
        privateIp = (await deps.ec2.describeInstance(instance.instanceId)).privateIp;
      } catch (error) {
        return { ...base, health: { outcome: 'error', failingChecks: [], error: errorMessage(error) } };
      }
      if (!privateIp) {
        return { ...base, health: { outcome: 'error', failingChecks: [], error: 'no private IP address' } };
      }
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
      const version = result.body?.version;
      return {
        ...base,
        privateIp,
        probeLatencyMs: result.latencyMs,
        health,
        ...(version ? { version } : {}),
      };
    }),
  );

  const versions: Record<string, number> = {};
  for (const i of instances) {
    if (i.lifecycleState === 'InService' && i.version) versions[i.version] = (versions[i.version] ?? 0) + 1;
  }
  const { verdict, reasons } = fleetVerdict(instances);
  return {
    group: groupName,
    checkedAt: new Date(now()).toISOString(),
    verdict,
    reasons,
    versions,
    instances,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
