/**
 * One probe of the canary's deep /health, and, when it fails only shared checks, one round of probes of
 * in-service instances to compare with (a baseline). Both guarded by the policy's probeCidrs.
 */
import type { GroupDescription } from '../aws/autoscaling';
import { GroupNotFoundError } from '../aws/errors';
import { baselineGroupOf } from '../fleet/baseline-group';
import { type BaselineObservation, compactObservation, type Policy, type ProbeObservation } from '../gate';
import { MetricName, Unit } from '../observability';
import type { ProbeResult } from '../probe';
import type { StepDeps } from './deps';
import type { LifecycleAction } from './event';

/** In-service instances probed for a baseline (of the group, or else of its baseline group). */
export const BASELINE_INSTANCES = 3;

/** Where and how to probe, with the headers (the health token) for this step. */
export interface ProbeTarget {
  address: string;
  policy: Policy;
  headers: Record<string, string>;
}

/** Probes the canary once; records latency, failures and failing checks; logs the outcome. */
export async function probeCanary(
  deps: StepDeps,
  target: ProbeTarget,
  action: LifecycleAction,
): Promise<ProbeObservation> {
  const result = await probeOnce(deps, target, target.address, action.instanceId);
  const { body: _body, ...observation } = result;
  const { group } = action;
  deps.metrics.record(group, MetricName.ProbeLatency, Unit.Milliseconds, result.latencyMs);
  if (result.outcome === 'fail' || result.outcome === 'error') {
    deps.metrics.record(group, MetricName.ProbeFailures, Unit.Count, 1);
  }
  // Check names come from the instance: counted as the state keeps them (a few, clipped, sanitised), so a
  // body listing thousands of checks, or new names on every probe, cannot flood the metrics with dimensions.
  for (const check of compactObservation(observation).failingChecks) {
    deps.metrics.record(group, MetricName.CheckFailures, Unit.Count, 1, { Check: check.name });
  }
  // A token sent and the answer an unauthorised caller gets (`{ status }`: no checks, no instance): the app
  // holds a newer token than this container (a rotation); the next step reads it again.
  if (target.headers[deps.healthTokenHeader] !== undefined && isStatusOnly(result.body)) {
    if (deps.healthToken.refused?.())
      deps.log.warn('health token not accepted: reading it again for the next probe');
  }
  deps.log.info('probe', {
    outcome: result.outcome,
    httpStatus: result.httpStatus,
    latencyMs: result.latencyMs,
    answeredBy: result.instanceId,
    failingChecks: result.failingChecks.map((c) => `${c.name}${c.transient ? '' : ' (non-transient)'}`),
    error: result.error,
  });
  return observation;
}

/** The body an unauthorised caller gets: a status, and neither checks nor an instance id. */
function isStatusOnly(body: ProbeResult['body']): boolean {
  return body !== undefined && body.instanceId === undefined && body.checks === undefined;
}

function probeOnce(
  deps: StepDeps,
  target: ProbeTarget,
  address: string,
  instanceId: string,
): Promise<ProbeResult> {
  const { policy } = target;
  return deps.probe({
    address,
    port: policy.port,
    path: policy.path,
    timeoutMs: Math.max(1, Math.min(policy.timeoutSeconds * 1000, deps.remainingMs())),
    expectedInstanceId: instanceId,
    allowedCidrs: policy.probeCidrs,
    headers: target.headers,
    now: deps.now,
  });
}

/**
 * Probes up to {@link BASELINE_INSTANCES} in-service instances of the group (never the canary itself); when the
 * group has none (the first instances of a blue/green group), those of the group its `healthgate:baseline-group`
 * tag names (see {@link baselineGroupOf}). A baseline only refines the reason of a WAIT or ABANDON: `decide` never
 * continues on one.
 */
export async function takeBaseline(
  deps: StepDeps,
  target: ProbeTarget,
  action: LifecycleAction,
): Promise<BaselineObservation> {
  const at = deps.now();
  const group = await deps.autoscaling.describeGroup(action.group);
  let source = group.name;
  let peers = inServicePeers(group, action.instanceId);
  const other = peers.length === 0 ? baselineGroupOf(group) : undefined;
  if (other !== undefined) {
    try {
      peers = inServicePeers(await deps.autoscaling.describeGroup(other), action.instanceId);
      source = other;
    } catch (error) {
      if (!(error instanceof GroupNotFoundError)) throw error;
      deps.log.warn('baseline group not found: no in-service instance to compare with', {
        baselineGroup: other,
      });
    }
  }
  const instances: BaselineObservation['instances'] = [];
  for (const peer of peers) {
    const described = await deps.ec2.describeInstance(peer.instanceId).catch(() => undefined);
    if (described?.privateIp === undefined) continue;
    // Guarded like the canary: a peer outside probeCidrs is simply not probed.
    const result = await probeOnce(deps, target, described.privateIp, peer.instanceId);
    instances.push({
      instanceId: peer.instanceId,
      outcome: result.outcome,
      failingChecks: result.failingChecks.map((c) => c.name),
    });
  }
  deps.log.info('baseline taken', {
    baselineGroup: source,
    instances: instances.map(
      (i) =>
        `${i.instanceId}: ${i.outcome}${i.failingChecks.length ? ` (${i.failingChecks.join(', ')})` : ''}`,
    ),
  });
  return { at, ...(source !== group.name ? { group: source } : {}), instances };
}

function inServicePeers(group: GroupDescription, canaryId: string) {
  return group.instances
    .filter((i) => i.lifecycleState === 'InService' && i.instanceId !== canaryId)
    .slice(0, BASELINE_INSTANCES);
}
