/**
 * One step of a rolling replacement, pure: which old instances may go now and how many instances the group may
 * hold, so that at least `minHealthy` stay healthy and at most `maxTotal` are in service or pending, never
 * replacing more than the current checkpoint allows. The refresh engine applies the plan; the group's own
 * capacity reconciliation launches the replacements.
 */

/** An instance still to be replaced. */
export interface OldInstance {
  id: string;
  /** InService and Healthy: it counts toward the minimum while it stays. */
  healthy: boolean;
}

/** What one step sees. */
export interface PlanInput {
  desired: number;
  bounds: { minHealthy: number; maxTotal: number };
  /** Instances still to replace, in the order to replace them (oldest first). */
  old: readonly OldInstance[];
  /** Instances of the target configuration that are not leaving; `ready` once healthy and warmed up. */
  fresh: readonly { id: string; ready: boolean }[];
  /** Instances of `toReplace` this phase has already terminated. */
  replaced: number;
  /** Instances that already had the target configuration when the phase began (skip matching): they stay. */
  skipped: number;
  /** How many of `toReplace` the current checkpoint lets the phase have replaced in all. */
  cap: number;
}

/** What to do now. */
export interface Plan {
  /** Old instances to terminate now. */
  terminate: string[];
  /** Instances the group may hold above its desired capacity while replacing (launch before terminate). */
  surge: number;
}

/**
 * The next step. An old instance that is not healthy goes as soon as the checkpoint allows (it serves nothing); a
 * healthy one only while the healthy count stays at the minimum or above. The group is sized to hold the old
 * instances still there plus one replacement for every old instance the checkpoint allows, within `maxTotal`
 * and never below desired capacity.
 *
 * @example
 * planStep({ desired: 3, bounds: { minHealthy: 3, maxTotal: 4 }, old, fresh: [], replaced: 0, skipped: 0, cap: 3 });
 * // → { terminate: [], surge: 1 }: launch one replacement before any old instance goes
 */
export function planStep(input: PlanInput): Plan {
  const { desired, bounds, old, fresh } = input;
  let healthy = old.filter((o) => o.healthy).length + fresh.filter((f) => f.ready).length;
  let replaced = input.replaced;
  const terminate: string[] = [];
  for (const instance of [...old].sort((a, b) => Number(a.healthy) - Number(b.healthy))) {
    if (replaced >= input.cap) break;
    if (instance.healthy && healthy - 1 < bounds.minHealthy) continue;
    terminate.push(instance.id);
    replaced += 1;
    if (instance.healthy) healthy -= 1;
  }
  // The old instances still there, plus the target configuration's share: the skipped instances and one
  // replacement per old instance the checkpoint allows, never more than desired capacity (an old instance that was
  // itself surplus, a rollback's unfinished launch say, needs no replacement).
  const wanted = old.length - terminate.length + Math.min(input.skipped + input.cap, desired);
  const total = Math.max(desired, Math.min(bounds.maxTotal, wanted));
  return { terminate, surge: total - desired };
}
