import { createHash } from 'node:crypto';

/**
 * The first 12 hex characters of the SHA-256 of a lifecycle action token: enough to correlate log lines of one
 * action, useless to complete it. The token itself is never logged.
 */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}
