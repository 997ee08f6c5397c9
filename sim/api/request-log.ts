/** A bounded log of the API calls the control plane answered, for timelines and reports. */

export interface RequestLogEntry {
  seq: number;
  /** Scheduler time (ms since epoch) at which the call arrived. */
  time: number;
  service: string;
  action: string;
  /** The decoded input (SDK shape). */
  params: unknown;
  status: number;
  /** `ok`, or the error code returned. */
  result: string;
  injected: boolean;
  durationMs: number;
}

/** Keeps the most recent `capacity` entries. */
export class RequestLog {
  private readonly items: RequestLogEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 10_000) {}

  add(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const full = { seq: ++this.seq, ...entry };
    this.items.push(full);
    if (this.items.length > this.capacity) this.items.shift();
    return full;
  }

  /** Entries, optionally filtered. */
  entries(filter: { service?: string; action?: string } = {}): RequestLogEntry[] {
    return this.items.filter(
      (e) =>
        (!filter.service || e.service === filter.service) && (!filter.action || e.action === filter.action),
    );
  }
}
