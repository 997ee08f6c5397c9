/**
 * Serving capacity from the sim's timeline: how many instances of a group were InService and healthy on their load
 * balancer, at every change, replayed from the start so a dip between two looks is seen too. Pure.
 */
import type { TimelineEntry } from '../timeline';

/** The lowest and highest serving capacity of `group` from `from` to `to` (epoch ms), and when the lowest began. */
export interface ServingRange {
  lowest: number;
  highest: number;
  lowestAt: number;
}

/**
 * Replays `entries` (in order) and measures the group's serving capacity over the window.
 *
 * @example
 * servingRange(stack.timeline.entries, 'web-v1', deployStart, deployEnd); // { lowest: 3, highest: 3, … }
 */
export function servingRange(
  entries: readonly TimelineEntry[],
  group: string,
  from: number,
  to: number,
): ServingRange {
  const members = new Set<string>();
  const inService = new Set<string>();
  const lbHealthy = new Set<string>();
  const serving = () => [...inService].filter((id) => lbHealthy.has(id)).length;
  let range: ServingRange | undefined;
  const measure = (time: number) => {
    const now = serving();
    if (!range) range = { lowest: now, highest: now, lowestAt: time };
    else {
      if (now < range.lowest) range = { ...range, lowest: now, lowestAt: time };
      range.highest = Math.max(range.highest, now);
    }
  };
  for (const entry of entries) {
    if (entry.time > to) break;
    if (entry.time > from && !range) measure(from);
    if (entry.kind === 'instance' && entry.groupName === group) {
      members.add(entry.instanceId);
      if (entry.to === 'InService') inService.add(entry.instanceId);
      else inService.delete(entry.instanceId);
    } else if (entry.kind === 'lb-health' && members.has(entry.instanceId)) {
      if (entry.state === 'healthy') lbHealthy.add(entry.instanceId);
      else lbHealthy.delete(entry.instanceId);
    } else {
      continue;
    }
    if (entry.time >= from) measure(entry.time);
  }
  if (!range) measure(from);
  return range!;
}
