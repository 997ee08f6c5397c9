/**
 * Where one phase of an instance refresh stands, pure: which instances are still to replace (oldest first), which
 * have the target configuration and whether each is ready (healthy and warmed up), and how many replacements
 * count as updated. The refresh engine reads the group; this only counts.
 */
import type { OldInstance } from './refresh-plan';
import type { RefreshPhase } from './refresh-types';

/** One live instance, as the phase sees it. */
export interface PhaseInstance {
  id: string;
  launchTime: number;
  /** Launched with the phase's target configuration. */
  matchesTarget: boolean;
  /** InService, Healthy, and healthy on its load balancers when the group's health check type is ELB. */
  servesHealthy: boolean;
  /** When it went InService, when it has. */
  inServiceAt?: number;
}

/** The phase's standing. */
export interface PhaseProgress {
  old: OldInstance[];
  fresh: { id: string; ready: boolean }[];
  /** Target-configuration instances the phase did not launch (already there: skip matching, or a rollback's). */
  skipped: number;
  /** Replaced instances whose replacement is ready. */
  updated: number;
}

/**
 * Counts a phase. An instance to replace that left some other way (terminated, abandoned, unhealthy) is marked
 * replaced in `phase`, since the group launches its successor with the target configuration.
 *
 * @example
 * const { updated } = phaseProgress(phase, live, { desired: 3, now, warmupMs: 0 });
 */
export function phaseProgress(
  phase: RefreshPhase,
  live: readonly PhaseInstance[],
  o: { desired: number; now: number; warmupMs: number },
): PhaseProgress {
  const liveIds = new Set(live.map((i) => i.id));
  for (const id of phase.toReplace) if (!liveIds.has(id)) phase.replaced.add(id);
  const old = live
    .filter((i) => phase.toReplace.has(i.id))
    .sort((a, b) => a.launchTime - b.launchTime || a.id.localeCompare(b.id))
    .map((i) => ({ id: i.id, healthy: i.servesHealthy }));
  const fresh = live
    .filter((i) => i.matchesTarget && !phase.toReplace.has(i.id))
    .map((i) => {
      const since = phase.inServiceAt.get(i.id) ?? i.inServiceAt ?? o.now;
      return { id: i.id, ready: i.servesHealthy && o.now - since >= o.warmupMs };
    });
  const skipped = fresh.filter((f) => !phase.launched.has(f.id)).length;
  // A replaced instance counts as updated once the target configuration has a ready instance for it (one that was
  // surplus, a rollback's unfinished launch say, needs none).
  const ready = fresh.filter((f) => f.ready).length;
  const owed = Math.max(0, Math.min(skipped + phase.replaced.size, o.desired) - ready);
  return { old, fresh, skipped, updated: Math.max(0, phase.replaced.size - owed) };
}
