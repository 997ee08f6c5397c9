import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitiseMessage } from '../../../shared/health';

describe('sanitiseMessage', () => {
  it.each([
    ['connect failed for postgres://app:hunter22@db.internal:5432/prod', ['hunter22', 'db.internal', 'app:']],
    ['password authentication failed: password=hunter22 host=db', ['hunter22']],
    ['{"secret": "s3cr3tvalue", "ok": 1}', ['s3cr3tvalue']],
    ['DB_PASSWORD=hunter22;other', ['hunter22']],
    ['header Authorization: Bearer abc.def.ghi', ['abc.def.ghi']],
    ['key AKIAABCDEFGHIJKLMNOP leaked', ['AKIAABCDEFGHIJKLMNOP']],
    ['redis://:pw1234@cache:6379 refused', ['pw1234', 'cache']],
  ])('redacts %s', (input, forbidden) => {
    const out = sanitiseMessage(new Error(input));
    for (const word of forbidden) {
      expect(out).not.toContain(word);
    }
    expect(out).toContain('[redacted]');
  });

  it('keeps only the first line (no stack)', () => {
    const error = new Error('boom\n    at secretFunction (/srv/app/file.ts:1:1)');
    expect(sanitiseMessage(error)).toBe('boom');
  });

  it('redacts literal secrets it is given', () => {
    expect(sanitiseMessage('value is correcthorse', ['correcthorse'])).toBe('value is [redacted]');
  });

  it('keeps harmless messages and bounds length', () => {
    expect(sanitiseMessage(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(
      'connect ECONNREFUSED 127.0.0.1:5432',
    );
    expect(sanitiseMessage('x'.repeat(1000)).length).toBeLessThanOrEqual(300);
    expect(sanitiseMessage(new Error(''))).toBe('Error');
    expect(sanitiseMessage({ code: 42 })).toBe('{"code":42}');
  });

  it('leaves key names in a list of missing keys alone', () => {
    expect(sanitiseMessage('missing required configuration: DB_PASSWORD, API_TOKEN')).toBe(
      'missing required configuration: DB_PASSWORD, API_TOKEN',
    );
  });
});

describe('sanitiseMessage properties', () => {
  it('is idempotent and single-line', () => {
    const fragment = fc.constantFrom(
      'password=',
      'token: ',
      'postgres://u:p@h/db',
      'Bearer ',
      '\n    at x',
      ' ',
      '"',
      ']',
      'abc',
      '=',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fragment, fc.string()), { maxLength: 12 }), (parts) => {
        const once = sanitiseMessage(parts.join(''));
        expect(sanitiseMessage(once)).toBe(once);
        expect(once).not.toMatch(/[\r\n]/);
      }),
    );
  });
});
