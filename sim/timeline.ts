/**
 * One ordered record of what happened in a local run: the model's state changes, the fleet's processes, the
 * deliveries of lifecycle events and the Lambda invocations. Tests assert on it; reports draw it.
 */
import type { DeliveryRecord } from './delivery/event-bridge';
import type { SimChange } from './events';
import type { LightFleetEvent } from './fleet/light-fleet';
import type { FleetEvent } from './fleet/process-fleet';
import type { InvocationEvent } from './lambda/functions';

/** One entry; `time` is epoch ms; `kind` tells the source. */
export type TimelineEntry = SimChange | FleetEvent | LightFleetEvent | DeliveryRecord | InvocationEvent;

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
  if (entry.kind.startsWith('invocation-')) {
    return instanceOfEvent((entry as Extract<TimelineEntry, { kind: `invocation-${string}` }>).record.event);
  }
  return undefined;
}

/**
 * The instance a function's event is about: a lifecycle event names it in `detail`, the gate's own steps in
 * `action`; an SQS batch through its messages' bodies, when they all name the same one.
 */
function instanceOfEvent(event: unknown): string | undefined {
  const e = event as {
    detail?: { EC2InstanceId?: unknown };
    action?: { instanceId?: unknown };
    Records?: { body?: unknown }[];
  } | null;
  const id = e?.detail?.EC2InstanceId ?? e?.action?.instanceId;
  if (typeof id === 'string') return id;
  if (!Array.isArray(e?.Records) || e.Records.length === 0) return undefined;
  const ids = new Set(
    e.Records.map((r) => {
      try {
        return instanceOfEvent(JSON.parse(String(r?.body)) as unknown);
      } catch {
        return undefined;
      }
    }),
  );
  const [only] = ids;
  return ids.size === 1 ? only : undefined;
}
