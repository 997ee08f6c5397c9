/**
 * `healthgate rehearse` as a process: a non-Node app (the Python example) rehearsed end to end, and a scenario
 * file with problems refused before anything starts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioReport } from '../../sim/report';
import { runHealthgate } from '../support/healthgate-cli';

const hasPython = (() => {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'healthgate-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('healthgate rehearse: a scenario file with problems', () => {
  it('is refused with one line per problem naming the field, exit 2, nothing started', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'name: bad',
        'description: problems',
        'versions:',
        '  - name: v1',
        '    comand: python3 app.py',
        '    faults: { slowStartMs: soon }',
        'steps:',
        '  - kind: deploy',
        '    version: v1',
        '    expect: { outcome: deployd, decisions: [CONTINUE HEALTHY_THRESHOLD_MET] }',
        '  - kind: teleport',
      ].join('\n'),
    );
    const run = await runHealthgate(['rehearse', '--scenario-file', file], { timeoutMs: 30_000 });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`healthgate rehearse: ${file}: the scenario cannot run`);
    for (const problem of [
      'versions[0].comand: unknown field; expected one of name, description, command,',
      'versions[0].faults.slowStartMs: Invalid input: expected number, received string',
      'steps[0].expect.outcome: Invalid option: expected one of "deployed"|"rolled-back"',
      'steps[1].kind: a step: kind one of deploy, api-faults, database-outage',
    ]) {
      expect(run.stderr).toContain(problem);
    }
    // Nothing ran: no sim, no report.
    expect(run.stderr).not.toContain('local control plane');
  });

  it('a file that is not YAML, or not there, is a usage error too', async () => {
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, 'versions: [1, 2');
    const broken = await runHealthgate(['rehearse', '-f', file], { timeoutMs: 30_000 });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/\(file\): not YAML or JSON: .*line 1/);
    const missing = await runHealthgate(['rehearse', '-f', path.join(dir, 'nope.yaml')], {
      timeoutMs: 30_000,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read it');
  });
});

// Debian ships python3; CI fails rather than skip without it, as the browser test does without Chromium.
describe.skipIf(!hasPython && !process.env.CI)('healthgate rehearse: a Python app as every instance', () => {
  let run: Awaited<ReturnType<typeof runHealthgate>>;
  let report: ScenarioReport;
  const decisionsOf = (version: string) =>
    report.instances.filter((t) => t.version === version).flatMap((t) => t.decisions);

  beforeAll(async () => {
    run = await runHealthgate(
      ['rehearse', '--scenario-file', 'examples/python-app/rollout.yaml', '--json', '--report-dir', dir],
      { timeoutMs: 150_000 },
    );
    report = JSON.parse(run.stdout) as ScenarioReport;
  }, 160_000);

  it('meets every expectation, exit 0, the JSON report alone on stdout', () => {
    expect(report.error).toBeUndefined();
    expect(report.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.deploys.map((d) => [d.version, d.outcome, d.failure ?? null])).toEqual([
      ['v1', 'deployed', null],
      ['v2', 'deployed', null],
      ['v3', 'rolled-back', 'CIRCUIT_BREAKER'],
      ['v4', 'rolled-back', 'CIRCUIT_BREAKER'],
    ]);
  });

  it('CONTINUEs every instance of the good version, which then serves', () => {
    const v2 = report.instances.filter((t) => t.version === 'v2');
    expect(v2.length).toBe(2);
    for (const t of v2) {
      expect(t.decisions.map((d) => `${d.action} ${d.reason}`)).toEqual(['CONTINUE HEALTHY_THRESHOLD_MET']);
      expect(t.states.at(-1)?.state).toBe('InService');
    }
  });

  it('ABANDONs a version whose /health reports a non-transient failure at once, naming it', () => {
    const decisions = decisionsOf('v3');
    expect(decisions.length).toBeGreaterThan(0);
    for (const d of decisions) {
      expect(`${d.action} ${d.reason}`).toBe('ABANDON NON_TRANSIENT_FAILURE');
      expect(d.detail).toContain('SECRET_KEY');
      // Far before the scenario's 6 s deadline.
      expect(d.afterMs).toBeLessThan(4_000);
    }
  });

  it('ABANDONs a version whose command exits at boot, at the deadline', () => {
    const decisions = decisionsOf('v4');
    expect(decisions.length).toBeGreaterThan(0);
    for (const d of decisions) expect(`${d.action} ${d.reason}`).toBe('ABANDON DEADLINE_EXCEEDED');
    expect(
      report.entries.some((e) => e.text.includes('cannot start: missing configuration: SECRET_KEY')),
    ).toBe(true);
  });

  it('leaves no instance process behind', () => {
    const left = execFileSync('ps', ['-eo', 'args'])
      .toString()
      .split('\n')
      .filter((l) => l.includes('examples/python-app/app.py'));
    expect(left).toEqual([]);
  });
});
