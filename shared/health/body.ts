import { aggregateStatus, httpStatusFor } from './aggregate.js';
import type { CheckEntry, HealthBody, HealthIdentity, HealthReport } from './types.js';

/** One finished check, ready to become a body entry. */
export interface NamedEntry {
  name: string;
  entry: CheckEntry;
}

const IDENTITY_KEYS = ['version', 'releaseId', 'serviceId', 'instanceId', 'description'] as const;

/** The full body for `entries` (pure): identity fields that are set, then `checks` keyed by check name. */
export function buildBody(identity: HealthIdentity, entries: readonly NamedEntry[]): HealthBody {
  const body: HealthBody = { status: aggregateStatus(entries.map(({ entry }) => entry.status)) };
  for (const key of IDENTITY_KEYS) {
    const value = identity[key];
    if (typeof value === 'string' && value !== '') {
      body[key] = value;
    }
  }
  const checks: Record<string, CheckEntry[]> = {};
  for (const { name, entry } of entries) {
    // Two checks may share a key (one measurement of two components): the draft makes each key an array.
    const list = checks[name] ?? [];
    list.push(entry);
    checks[name] = list;
  }
  body.checks = checks;
  return body;
}

/** A body and its HTTP status. */
export function toReport(body: HealthBody): HealthReport {
  return { body, httpStatus: httpStatusFor(body.status) };
}

/**
 * What an unauthorised caller sees: `{ status }` and nothing else. Version and instance id stay hidden
 * too: they tell an outsider what runs where, and the gate, which needs them, probes as an authorised caller.
 */
export function publicView(body: HealthBody): HealthBody {
  return { status: body.status };
}

/** The body served while the process shuts down: fail, before and instead of any check. */
export function drainingBody(): HealthBody {
  return { status: 'fail', output: 'shutting down' };
}
