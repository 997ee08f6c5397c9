// A namespace import: bundlers keep only the parts used (the named `z` object would pull in all of zod).
import * as z from 'zod';
import type { HealthBody } from '../health/types';
import { ambiguousKey } from './json-keys';
import type { FailingCheck } from './types';

const MAX_OUTPUT = 500;
const status = z.enum(['pass', 'warn', 'fail']);

// Loose: unknown fields pass through (the draft allows extensions); the fields the gate acts on must be well typed.
const entrySchema = z.looseObject({
  status,
  componentType: z.string().optional(),
  output: z.string().optional(),
  transient: z.unknown().optional(),
});

const bodySchema = z.looseObject({
  status,
  instanceId: z.string().optional(),
  version: z.string().optional(),
  releaseId: z.string().optional(),
  checks: z.record(z.string(), z.array(entrySchema)).optional(),
});

/** A parsed body, or why it is not one. */
export type ParsedHealthBody = { ok: true; body: HealthBody } | { ok: false; reason: string };

/** Parses an `application/health+json` text; never throws. */
export function parseHealthBody(text: string): ParsedHealthBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      reason: `malformed health body: ${error instanceof Error ? error.message : 'not JSON'}`,
    };
  }
  const ambiguous = ambiguousKey(text);
  if (ambiguous) {
    return { ok: false, reason: `malformed health body: ${ambiguous}` };
  }
  const result = bodySchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'body';
    return { ok: false, reason: `malformed health body: ${where}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, body: result.data as HealthBody };
}

/**
 * The failing checks of a body. `transient` is false only when the entry says `transient: false` explicitly:
 * anything else may heal by waiting, so the gate waits rather than abandons.
 */
export function failingChecks(body: HealthBody): FailingCheck[] {
  const result: FailingCheck[] = [];
  for (const [name, entries] of Object.entries(body.checks ?? {})) {
    for (const entry of entries) {
      if (entry.status !== 'fail') {
        continue;
      }
      const check: FailingCheck = { name, transient: (entry as { transient?: unknown }).transient !== false };
      if (entry.componentType !== undefined) {
        check.componentType = entry.componentType;
      }
      if (entry.output !== undefined) {
        check.output =
          entry.output.length > MAX_OUTPUT ? `${entry.output.slice(0, MAX_OUTPUT)}…` : entry.output;
      }
      result.push(check);
    }
  }
  return result;
}
