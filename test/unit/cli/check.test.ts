import { describe, expect, it, vi } from 'vitest';
import { createCheckCommand } from '../../../cli/commands/check';
import { runCli } from '../../../cli/main';
import { AwsCallError, GroupNotFoundError } from '../../../shared/aws';
import type { RollbackReport } from '../../../shared/rollback';
import { captureIo } from './io';

function report(verdict: RollbackReport['verdict']): RollbackReport {
  return {
    group: 'web-green',
    checkedAt: '2026-01-01T00:00:00.000Z',
    verdict,
    reasons: [
      verdict === 'rollback'
        ? {
            verdict,
            reason: 'NON_TRANSIENT_FAILURE',
            instanceId: 'i-b',
            detail: 'failing: migrations:applied',
          }
        : verdict === 'hold'
          ? { verdict, reason: 'LAUNCHING', instanceId: 'i-b', detail: 'lifecycle state Pending:Wait' }
          : { verdict, reason: 'ALL_HEALTHY', detail: '2 instance(s) InService' },
    ],
    versions: { '2.0.0': 2 },
    probe: { port: 8080, path: '/health' },
    instances: [
      {
        instanceId: 'i-a',
        lifecycleState: 'InService',
        healthStatus: 'Healthy',
        privateIp: '10.0.1.5',
        lb: [
          {
            target: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/abc',
            kind: 'target-group',
            state: 'healthy',
          },
        ],
        health: { outcome: 'pass', httpStatus: 200, failingChecks: [] },
        probeLatencyMs: 12.4,
        version: '2.0.0',
      },
      {
        instanceId: 'i-b',
        lifecycleState: 'InService',
        healthStatus: 'Healthy',
        lb: [{ target: 'web-classic', kind: 'classic', state: 'InService' }],
        health: {
          outcome: 'fail',
          httpStatus: 503,
          failingChecks: [
            { name: 'migrations:applied', transient: false },
            { name: 'database:responseTime', transient: true },
          ],
        },
        version: '2.0.0',
      },
    ],
  };
}

async function run(
  argv: string[],
  options: { env?: Record<string, string>; verdict?: RollbackReport['verdict']; error?: unknown } = {},
) {
  const captured = captureIo({ env: options.env ?? {} });
  const check = vi.fn(async () => {
    if (options.error) throw options.error;
    return report(options.verdict ?? 'proceed');
  });
  const createCheck = vi.fn(() => check);
  const code = await runCli(['check', ...argv], captured.context, [createCheckCommand(createCheck)]);
  return { code, stdout: captured.stdout(), stderr: captured.stderr(), check, createCheck };
}

describe('healthgate check: arguments', () => {
  const errors: { argv: string[]; message: RegExp }[] = [
    { argv: [], message: /missing --group NAME/ },
    { argv: ['--json'], message: /missing --group NAME/ },
    { argv: ['--group'], message: /--group/ },
    { argv: ['--group', ''], message: /--group must not be empty/ },
    { argv: ['--group', 'web\tgreen'], message: /--group must not contain control characters/ },
    { argv: ['--asg-name', 'web'], message: /Unknown option '--asg-name'/ },
    { argv: ['web-green'], message: /Unexpected argument 'web-green'/ },
    { argv: ['--group', 'a', '--json=yes'], message: /--json/ },
  ];
  for (const row of errors) {
    it(`exits 2 on ${JSON.stringify(row.argv)} without checking anything`, async () => {
      const r = await run(row.argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(row.message);
      expect(r.stdout).toBe('');
      expect(r.check).not.toHaveBeenCalled();
    });
  }

  it('prints usage, options, exit codes and an example on --help, exit 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^healthgate check: /);
    for (const part of ['usage: healthgate check --group NAME', 'options:', 'exit codes:', 'examples:']) {
      expect(r.stdout).toContain(part);
    }
    expect(r.createCheck).not.toHaveBeenCalled();
  });

  it('exits 3 naming the key on bad configuration', async () => {
    const r = await run(['--group', 'web-green'], { env: { PROBE_CIDRS: 'not-a-cidr' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('PROBE_CIDRS');
    expect(r.check).not.toHaveBeenCalled();
  });
});

describe('healthgate check: verdicts and the exit-code table', () => {
  for (const [verdict, code] of [
    ['proceed', 0],
    ['rollback', 1],
    ['hold', 3],
  ] as const) {
    it(`exits ${code} on ${verdict}`, async () => {
      const r = await run(['--group', 'web-green'], { verdict });
      expect(r.code).toBe(code);
      expect(r.check).toHaveBeenCalledWith('web-green');
      expect(r.stdout).toContain(`verdict: ${verdict.toUpperCase()}`);
    });
  }

  it('accepts --asg as the same as --group', async () => {
    const r = await run(['--asg', 'web-green']);
    expect(r.code).toBe(0);
    expect(r.check).toHaveBeenCalledWith('web-green');
  });

  it('prints a table row per instance, with versions and reasons, uncoloured off a terminal', async () => {
    const r = await run(['--group', 'web-green'], { verdict: 'rollback' });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toContain('group web-green');
    expect(lines.find((l) => l.startsWith('INSTANCE'))).toMatch(/LIFECYCLE\s+ASG\s+LOAD BALANCERS\s+HEALTH/);
    expect(lines.find((l) => l.startsWith('i-b'))).toMatch(
      /web-classic=InService\s+fail 503\s+-\s+2\.0\.0\s+migrations:applied!,database:responseTime$/,
    );
    expect(r.stdout).toContain('rollback NON_TRANSIENT_FAILURE i-b: failing: migrations:applied');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('colours the verdict under FORCE_COLOR, never under NO_COLOR', async () => {
    expect((await run(['--group', 'g'], { env: { FORCE_COLOR: '1' } })).stdout).toContain(
      '\u001b[32mverdict: PROCEED\u001b[0m',
    );
    expect((await run(['--group', 'g'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout).not.toContain(
      '\u001b[',
    );
  });

  it('prints the report as JSON with --json', async () => {
    const r = await run(['--group', 'web-green', '--json'], { verdict: 'hold' });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual(report('hold'));
  });

  it('an unknown group is a usage error (2), named', async () => {
    const context = { service: 'autoscaling', operation: 'DescribeAutoScalingGroups', params: {} };
    const r = await run(['--group', 'nope'], { error: new GroupNotFoundError('nope', context) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no Auto Scaling group named nope');
  });

  it('access denied and throttling exit 3, naming the call', async () => {
    const context = { service: 'autoscaling', operation: 'DescribeAutoScalingGroups', params: {} };
    const denied = Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' });
    const r = await run(['--group', 'web'], { error: new AwsCallError(context, { cause: denied }) });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('access denied on autoscaling:DescribeAutoScalingGroups');
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    const t = await run(['--group', 'web'], { error: new AwsCallError(context, { cause: throttled }) });
    expect(t.code).toBe(3);
    expect(t.stderr).toContain('throttled by AWS on autoscaling:DescribeAutoScalingGroups');
  });
});
