/**
 * One ordered record of what happened in a local run: the model's state changes, the fleet's processes, the
 * deliveries of lifecycle events and the Lambda invocations. Tests assert on it; reports draw it.
 */
import type { DeliveryRecord } from './delivery/event-bridge';
import type { SimChange } from './events';
import type { FleetEvent } from './fleet/process-fleet';
import type { InvocationEvent } from './lambda/functions';

/** One entry; `time` is epoch ms; `kind` tells the source. */
export type TimelineEntry = SimChange | FleetEvent | DeliveryRecord | InvocationEvent;

/** An append-only timeline with typed queries. */
export class Timeline {
  readonly entries: TimelineEntry[] = [];

  add(entry: TimelineEntry): void {
    this.entries.push(entry);
  }

  /** Entries of one kind (optionally of one instance), in order. */
  of<K extends TimelineEntry['kind']>(kind: K, instanceId?: string): Extract<TimelineEntry, { kind: K }>[] {
    return this.entries.filter(
      (e): e is Extract<TimelineEntry, { kind: K }> =>
        e.kind === kind && (instanceId === undefined || instanceIdOf(e) === instanceId),
    );
  }

  /** The first entry matching `predicate`. */
  find(predicate: (entry: TimelineEntry) => boolean): TimelineEntry | undefined {
    return this.entries.find(predicate);
  }
}

/** The instance an entry is about, when it is about one. */
export function instanceIdOf(entry: TimelineEntry): string | undefined {
  if ('instanceId' in entry) return entry.instanceId;
  if (entry.kind === 'invocation-start' || entry.kind === 'invocation-end') {
    // A lifecycle event names it in `detail`; the gate's own continuation in `action`.
    const event = entry.record.event as {
      detail?: { EC2InstanceId?: unknown };
      action?: { instanceId?: unknown };
    } | null;
    const id = event?.detail?.EC2InstanceId ?? event?.action?.instanceId;
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}
