import { describe, expect, it } from 'vitest';
import { parseHealthBody } from '../../shared/probe/health-body';
import { ambiguousKey } from '../../shared/probe/json-keys';

describe('ambiguousKey (health bodies refuse keys JSON.parse would silently resolve)', () => {
  it.each([
    ['{"status":"fail","status":"pass"}', 'duplicate key "status"'],
    ['{"status":"fail","\\u0073tatus":"pass"}', 'duplicate key "status"'],
    ['{"checks":{"db:ping":[{"status":"fail","status":"pass"}]}}', 'duplicate key "status"'],
    ['{"checks":{"a":[],"a":[]}}', 'duplicate key "a"'],
    ['{"__proto__":{"instanceId":"i-1"}}', 'reserved key "__proto__"'],
    ['{"checks":{"__proto__":[{"status":"fail"}]}}', 'reserved key "__proto__"'],
    ['{"\\u005f_proto__":1}', 'reserved key "__proto__"'],
  ])('%s → %s', (text, reason) => {
    expect(ambiguousKey(text)).toBe(reason);
    expect(parseHealthBody(text)).toEqual({ ok: false, reason: `malformed health body: ${reason}` });
  });

  it.each([
    '{"status":"pass","checks":{"a":[{"status":"pass"},{"status":"pass"}],"b":[{"status":"pass"}]}}',
    '{"status":"pass","output":"{\\"status\\":1,\\"status\\":2}","x":["status","status"]}',
    '{"a":{"k":1},"b":{"k":1},"c":[{"k":1},{"k":2}]}',
    '{"s":"\\\\","t":"\\"}"}',
    '[]',
    'null',
  ])('accepts %s', (text) => {
    expect(ambiguousKey(text)).toBeUndefined();
  });
});
