/**
 * Bad manual input to the rollback check: a clear error naming the field, and no AWS call or probe at all
 * (the check itself is a spy that must never run).
 */
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createRollbackCheckHandler } from '../../functions/rollback-check';
import { createLogger, memoryRecorder } from '../../shared/observability';
import { RollbackInputError, type RollbackReport } from '../../shared/rollback';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

const context = { getRemainingTimeInMillis: () => 30_000, functionName: 'rollback-check' } as Context;

const cases: [string, unknown, string, RegExp][] = [
  ['{}', {}, 'autoScalingGroupName', /is required/],
  ['a number', { autoScalingGroupName: 5 }, 'autoScalingGroupName', /must be a string/],
  ['an array name', { autoScalingGroupName: ['web'] }, 'autoScalingGroupName', /must be a string/],
  [
    'an object name',
    { autoScalingGroupName: { toString: 'web' } },
    'autoScalingGroupName',
    /must be a string/,
  ],
  ['null name', { autoScalingGroupName: null }, 'autoScalingGroupName', /must be a string/],
  ['an empty name', { autoScalingGroupName: '' }, 'autoScalingGroupName', /must not be empty/],
  ['only spaces', { autoScalingGroupName: '   ' }, 'autoScalingGroupName', /must not be empty/],
  ['2000 characters', { autoScalingGroupName: 'g'.repeat(2000) }, 'autoScalingGroupName', /at most 255/],
  ['a newline', { autoScalingGroupName: 'web\nINFO forged' }, 'autoScalingGroupName', /control characters/],
  ['an extra field', { autoScalingGroupName: 'web', url: 'http://169.254.169.254/' }, 'url', /unknown field/],
  ['a misspelt field', { asg: 'web' }, 'asg', /unknown field/],
  ['an address to probe', { autoScalingGroupName: 'web', address: '8.8.8.8' }, 'address', /unknown field/],
  ['null', null, '(input)', /expected an object/],
  ['a string', 'web', '(input)', /expected an object/],
  ['an array', [{ autoScalingGroupName: 'web' }], '(input)', /expected an object/],
  ['a number', 42, '(input)', /expected an object/],
];

describe('rollback-check manual input', () => {
  for (const [name, event, field, message] of cases) {
    it(`refuses ${name}: clear error naming ${field}, no call`, async () => {
      const check = vi.fn(async (): Promise<RollbackReport> => {
        throw new Error('must not be called');
      });
      const run = createRollbackCheckHandler({ check, logger: createLogger(), recorder: memoryRecorder() });
      const error = await run(event, context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RollbackInputError);
      expect((error as RollbackInputError).field).toBe(field);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.length).toBeLessThan(200);
      expect(check).not.toHaveBeenCalled();
    });
  }

  it('a __proto__ field is refused as unknown, not merged', async () => {
    const check = vi.fn();
    const run = createRollbackCheckHandler({ check, logger: createLogger(), recorder: memoryRecorder() });
    const event = JSON.parse('{"autoScalingGroupName":"web","__proto__":{"autoScalingGroupName":"x"}}');
    await expect(run(event, context)).rejects.toBeInstanceOf(RollbackInputError);
    expect(check).not.toHaveBeenCalled();
  });
});
