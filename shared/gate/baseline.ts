/**
 * The baseline: probes of a few in-service instances of the same group, taken when the canary fails only on
 * shared-dependency checks, so the gate can tell a shared outage from a bad canary.
 */
// A namespace import: bundlers keep only the parts used (the named `z` object would pull in all of zod).
import * as z from 'zod';
import { ProbeOutcome } from './observation';
import type { Policy } from './policy';
import { clip, sanitise } from './text';

/** One round of probes of in-service instances of the canary's group. */
export interface BaselineObservation {
  /** When the round started, epoch ms. */
  at: number;
  /**
   * The group the instances belong to, when it is not the canary's own (a blue/green deploy's previous group,
   * named by the new group's `healthgate:baseline-group` tag).
   */
  group?: string;
  instances: {
    instanceId: string;
    outcome: ProbeOutcome;
    /** Names (`"<component>:<measurement>"`) of the checks the instance reported as failing. */
    failingChecks: string[];
  }[];
}

/** Bounds of a baseline carried in the gate's state (strings in characters). */
export const BASELINE_LIMITS = {
  /** In-service instances kept; more add little and grow the state. */
  instances: 5,
  /** Failing check names kept per instance (those the canary also fails first). */
  failingChecks: 3,
  name: 40,
  instanceId: 24,
  group: 255,
} as const;

/**
 * How long a baseline stays fresh: one probe interval × `healthyThreshold` (the time the canary needs to prove
 * itself). Older baselines are taken again before they count.
 */
export function baselineFreshForMs(policy: Policy): number {
  return policy.intervalSeconds * 1000 * policy.healthyThreshold;
}

/** Whether `baseline` was taken within {@link baselineFreshForMs} of `now`. */
export function isBaselineFresh(baseline: BaselineObservation, policy: Policy, now: number): boolean {
  return now - baseline.at < baselineFreshForMs(policy);
}

/** A check name in the form a carried baseline keeps it, so canary and baseline names compare alike. */
export function baselineCheckName(name: string): string {
  return clip(sanitise(name), BASELINE_LIMITS.name);
}

/**
 * Bounds a baseline: at most {@link BASELINE_LIMITS.instances} instances (those failing first, since they are
 * the evidence of an outage), each with at most {@link BASELINE_LIMITS.failingChecks} names, the names in
 * `preferred` (the canary's failing checks) first.
 */
export function compactBaseline(
  baseline: BaselineObservation,
  preferred: readonly string[] = [],
): BaselineObservation {
  const L = BASELINE_LIMITS;
  const wanted = new Set(preferred.map(baselineCheckName));
  const instances = [...baseline.instances]
    .sort((a, b) => Number(a.failingChecks.length === 0) - Number(b.failingChecks.length === 0))
    .slice(0, L.instances)
    .map((instance) => {
      const names = [...new Set(instance.failingChecks.map(baselineCheckName))].sort(
        (a, b) => Number(!wanted.has(a)) - Number(!wanted.has(b)),
      );
      return {
        instanceId: clip(sanitise(instance.instanceId), L.instanceId),
        outcome: instance.outcome,
        failingChecks: names.slice(0, L.failingChecks),
      };
    });
  return {
    at: baseline.at,
    ...(baseline.group !== undefined ? { group: clip(sanitise(baseline.group), L.group) } : {}),
    instances,
  };
}

const finite = z.number().refine(Number.isFinite, { error: 'must be a finite number' });

/** Shape of a carried baseline (bounds are applied by {@link compactBaseline} afterwards). */
export const baselineSchema = z.strictObject({
  at: finite,
  group: z.string().max(1_000).optional(),
  instances: z
    .array(
      z.strictObject({
        instanceId: z.string(),
        outcome: z.enum(ProbeOutcome),
        failingChecks: z.array(z.string()).max(1_000),
      }),
    )
    .max(1_000),
});
