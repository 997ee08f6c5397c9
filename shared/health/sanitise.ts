/**
 * Turns anything a check throws or reports into a short, single-line message that is safe to serve:
 * no stack trace, no URL (connection strings carry hosts and credentials), no `password=…`-style values.
 */

const MAX_LENGTH = 300;
const REDACTED = '[redacted]';

// Any scheme://… token: connection strings (postgres://user:pw@host/db) must never reach a body, whole.
const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi;
// key=value / key: value pairs (an already redacted value matches whole, so sanitising twice changes nothing) whose key names a secret (libpq keyword strings, query strings, JSON-ish text).
const SECRET_PAIR_PATTERN =
  /\b([\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|credential|auth)[\w.-]*)(["']?\s*[=:]\s*)(\[redacted\]|"[^"]*"|'[^']*'|[^\s,;&)}\]]+)/gi;
const BEARER_PATTERN = /\b(bearer|basic)\s+[\w\-.~+/]+=*/gi;
const AWS_ACCESS_KEY_PATTERN = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g;

function messageOf(value: unknown): string {
  if (value instanceof Error) {
    return value.message || value.name;
  }
  if (typeof value === 'string') {
    return value;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * A safe rendering of `value` (an Error, a string, anything): the first line of its message with URLs,
 * secret-looking pairs, bearer tokens, AWS access keys and every literal in `secrets` replaced by `[redacted]`.
 */
export function sanitiseMessage(value: unknown, secrets: readonly string[] = []): string {
  let text = messageOf(value);
  // Literal secrets first, before other rewrites could split them; short values would redact ordinary words.
  for (const secret of secrets) {
    if (secret.length >= 4) {
      text = text.split(secret).join(REDACTED);
    }
  }
  text = text
    .replace(URL_PATTERN, REDACTED)
    // Credentials after a scheme word first: `Authorization: Bearer x` would otherwise redact only "Bearer".
    .replace(BEARER_PATTERN, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(SECRET_PAIR_PATTERN, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`)
    .replace(AWS_ACCESS_KEY_PATTERN, REDACTED);
  // A message that embeds a stack keeps only its first line.
  const firstLine = text.split(/\r?\n/, 1)[0]?.trim() ?? '';
  const short = firstLine.length > MAX_LENGTH ? `${firstLine.slice(0, MAX_LENGTH - 1)}…` : firstLine;
  return short || 'check failed';
}
