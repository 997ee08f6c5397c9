import { describe, expect, it } from 'vitest';
import { exitCodeForDeploy, parsePolicyOverrides } from '../../../cli/commands/deploy';
import { UsageError } from '../../../cli/usage-error';
import type { DeployResult } from '../../../shared/deploy';

const result = (over: Partial<DeployResult>): DeployResult => ({
  outcome: 'rolled-back',
  detail: '',
  group: 'web-v2',
  version: 'v2',
  abandons: 0,
  startedAt: 0,
  endedAt: 1,
  ...over,
});

describe('healthgate deploy: its inputs and its exit codes', () => {
  it('reads --policy KEY=VALUE, values as JSON when they are JSON', () => {
    expect(
      parsePolicyOverrides([
        'deadlineSeconds=120',
        'path=/healthz',
        'sharedChecks=["db:ok"]',
        'onSharedOutage=abandon',
      ]),
    ).toEqual({ deadlineSeconds: 120, path: '/healthz', sharedChecks: ['db:ok'], onSharedOutage: 'abandon' });
  });

  it('refuses a malformed pair or a field the policy does not have, naming it', () => {
    expect(() => parsePolicyOverrides(['deadlineSeconds'])).toThrow(UsageError);
    try {
      parsePolicyOverrides(['deadlineSecs=5', 'healthyThreshold=0']);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).problems.join('\n')).toMatch(/deadlineSecs: .*unknown/i);
      expect((error as UsageError).problems.join('\n')).toContain('healthyThreshold');
    }
  });

  it('maps the result onto the one table: deployed 0, stopped by the gate or the verdict 1, anything else 3', () => {
    expect(exitCodeForDeploy(result({ outcome: 'deployed' }))).toBe(0);
    expect(exitCodeForDeploy(result({ failure: 'CIRCUIT_BREAKER' }))).toBe(1);
    expect(exitCodeForDeploy(result({ failure: 'VERDICT_ROLLBACK' }))).toBe(1);
    expect(exitCodeForDeploy(result({ failure: 'REFRESH_FAILED' }))).toBe(1);
    for (const failure of ['TIMEOUT', 'AWS_ERROR', 'INTERRUPTED', 'VERDICT_HOLD'] as const) {
      expect(exitCodeForDeploy(result({ failure }))).toBe(3);
    }
  });
});
