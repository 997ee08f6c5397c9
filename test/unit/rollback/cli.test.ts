import { describe, expect, it, vi } from 'vitest';
import { runRollbackCheckCli, USAGE } from '../../../functions/cli/run-rollback-check';
import type { RollbackReport } from '../../../shared/rollback';

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
  options: { env?: Record<string, string>; verdict?: RollbackReport['verdict'] } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const check = vi.fn(async () => report(options.verdict ?? 'proceed'));
  const createCheck = vi.fn(() => check);
  const code = await runRollbackCheckCli({
    argv,
    env: options.env ?? {},
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    createCheck,
  });
  return { code, stdout: out.join(''), stderr: err.join(''), check, createCheck };
}

describe('rollback-check command line: arguments', () => {
  const errors: { argv: string[]; message: RegExp }[] = [
    { argv: [], message: /missing --asg NAME/ },
    { argv: ['--json'], message: /missing --asg NAME/ },
    { argv: ['--asg'], message: /--asg/ },
    { argv: ['--asg', ''], message: /--asg must not be empty/ },
    { argv: ['--asg', 'web\tgreen'], message: /--asg must not contain control characters/ },
    { argv: ['--group', 'web'], message: /Unknown option '--group'/ },
    { argv: ['web-green'], message: /Unexpected argument 'web-green'/ },
    { argv: ['--asg', 'a', '--json=yes'], message: /--json/ },
  ];
  for (const row of errors) {
    it(`exits 3 on ${JSON.stringify(row.argv)} without checking anything`, async () => {
      const r = await run(row.argv);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(row.message);
      expect(r.stdout).toBe('');
      expect(r.check).not.toHaveBeenCalled();
    });
  }

  it('prints usage and exits 0 on --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(USAGE);
    expect(r.createCheck).not.toHaveBeenCalled();
  });

  it('exits 3 naming the key on bad configuration', async () => {
    const r = await run(['--asg', 'web-green'], { env: { PROBE_CIDRS: 'not-a-cidr' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('PROBE_CIDRS');
    expect(r.check).not.toHaveBeenCalled();
  });
});

describe('rollback-check command line: verdicts', () => {
  for (const [verdict, code] of [
    ['proceed', 0],
    ['rollback', 1],
    ['hold', 2],
  ] as const) {
    it(`exits ${code} on ${verdict}`, async () => {
      const r = await run(['--asg', 'web-green'], { verdict });
      expect(r.code).toBe(code);
      expect(r.check).toHaveBeenCalledWith('web-green');
      expect(r.stdout).toContain(`verdict: ${verdict.toUpperCase()}`);
    });
  }

  it('prints a table row per instance, with versions and reasons', async () => {
    const r = await run(['--asg', 'web-green'], { verdict: 'rollback' });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toContain('group web-green');
    expect(lines[0]).toContain('port 8080, path /health');
    expect(lines.find((l) => l.startsWith('INSTANCE'))).toMatch(/LIFECYCLE\s+ASG\s+LOAD BALANCERS\s+HEALTH/);
    expect(lines.find((l) => l.startsWith('i-a'))).toMatch(
      /InService\s+Healthy\s+web=healthy\s+pass 200\s+12\s+2\.0\.0/,
    );
    expect(lines.find((l) => l.startsWith('i-b'))).toMatch(
      /web-classic=InService\s+fail 503\s+-\s+2\.0\.0\s+migrations:applied!,database:responseTime$/,
    );
    expect(r.stdout).toContain('versions in service: 2.0.0 ×2');
    expect(r.stdout).toContain('rollback NON_TRANSIENT_FAILURE i-b: failing: migrations:applied');
  });

  it('prints the report as JSON with --json', async () => {
    const r = await run(['--asg', 'web-green', '--json'], { verdict: 'hold' });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual(report('hold'));
  });

  it('exits 3 with the error when the check fails', async () => {
    const err: string[] = [];
    const code = await runRollbackCheckCli({
      argv: ['--asg', 'nope'],
      env: {},
      stdout: () => undefined,
      stderr: (t) => err.push(t),
      createCheck: () => async () => {
        throw Object.assign(new Error('auto scaling group nope not found'), { name: 'GroupNotFoundError' });
      },
    });
    expect(code).toBe(3);
    expect(err.join('')).toContain('GroupNotFoundError: auto scaling group nope not found');
  });
});
