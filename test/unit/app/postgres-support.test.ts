import { describe, expect, it } from 'vitest';
import { startPostgresOrSkipReason, type TestPostgres } from '../../support/postgres';

const cannotStart = async (): Promise<TestPostgres> => {
  throw new Error('embedded PostgreSQL did not start: initdb failed\nlog lines');
};

describe('PostgreSQL test set-up', () => {
  it('fails, never skips, in CI when PostgreSQL cannot start', async () => {
    await expect(startPostgresOrSkipReason(cannotStart, { CI: 'true' })).rejects.toThrow(/did not start/);
  });

  it('outside CI gives the reason to skip with', async () => {
    expect(await startPostgresOrSkipReason(cannotStart, {})).toEqual({
      skipReason: 'PostgreSQL unavailable: embedded PostgreSQL did not start: initdb failed',
    });
  });
});
