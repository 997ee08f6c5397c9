import { describe, expect, it } from 'vitest';
import type { DeployResult } from '../../../shared/deploy';
import { describeDeployEvent, describeSimEntry, escapeHtml, renderHtml } from '../../../sim/report';
import { buildTracks } from '../../../sim/report/tracks';
import {
  checkDeploy,
  findScenario,
  launchTemplateData,
  SCENARIOS,
  versionLaunchData,
} from '../../../sim/scenarios';
import type { TimelineEntry } from '../../../sim/timeline';
import { fixtureReport } from './fixture-report';

describe('HTML report', () => {
  it('is self-contained: inline style and SVG, no script, no external reference', () => {
    const html = renderHtml(fixtureReport());
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html.match(/<g class="track"/g)).toHaveLength(2);
    expect(html).toContain('data-reason="NON_TRANSIENT_FAILURE"');
  });

  it('escapes every text it shows', () => {
    const html = renderHtml(fixtureReport());
    expect(html).toContain('v2 &lt;good&gt; rolls out; v3 is stopped &amp; v2');
    expect(html).not.toContain('<NON_TRANSIENT_FAILURE>');
    expect(escapeHtml(`"'<>&`)).toBe('&quot;&#39;&lt;&gt;&amp;');
  });
});

describe('timeline lines', () => {
  it('describes gate decisions with action, reason and detail, and skips noise', () => {
    const end: TimelineEntry = {
      kind: 'invocation-end',
      time: 5,
      record: {
        requestId: 'r',
        functionName: 'healthgate-launch-gate',
        type: 'Event',
        attempt: 1,
        event: { healthgate: 'continuation', action: { instanceId: 'i-0abc' } },
        startedAt: 1,
        outcome: 'success',
        result: {
          outcome: 'decided',
          decision: { action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE', detail: 'pending\nmigrations' },
          completion: 'completed',
        },
      },
    };
    expect(describeSimEntry(end)).toEqual({
      instanceId: 'i-0abc',
      source: 'gate',
      text: 'gate ABANDON NON_TRANSIENT_FAILURE: pending migrations',
      tone: 'bad',
    });
    expect(describeSimEntry({ kind: 'flap', time: 1, instanceId: 'i-0abc', frozen: true })).toBeUndefined();
    expect(
      describeDeployEvent({ type: 'circuit-open', time: 1, group: 'web-v3', abandons: 2, maxAbandons: 2 })
        .text,
    ).toBe('circuit breaker: 2 abandon(s) reached the limit (2); the version is stopped');
  });

  it('builds tracks whose decision time is the completion, not the invocation end', () => {
    const entries: TimelineEntry[] = [
      {
        kind: 'instance',
        time: 1000,
        instanceId: 'i-1',
        groupName: 'web-v2',
        to: 'Pending',
        ec2State: 'pending',
        cause: 'c',
      },
      {
        kind: 'instance',
        time: 1100,
        instanceId: 'i-1',
        groupName: 'web-v2',
        from: 'Pending',
        to: 'Pending:Wait',
        ec2State: 'running',
        cause: 'c',
      },
      {
        kind: 'lifecycle-action',
        time: 3100,
        token: 't',
        instanceId: 'i-1',
        hookName: 'h',
        result: 'CONTINUE',
        cause: 'CompleteLifecycleAction',
      },
      {
        kind: 'instance',
        time: 3100,
        instanceId: 'i-1',
        groupName: 'web-v2',
        from: 'Pending:Wait',
        to: 'InService',
        ec2State: 'running',
        cause: 'c',
      },
      {
        kind: 'invocation-end',
        time: 6000,
        record: {
          requestId: 'r',
          functionName: 'f',
          type: 'Event',
          attempt: 1,
          event: { detail: { EC2InstanceId: 'i-1' } },
          startedAt: 1100,
          outcome: 'success',
          result: {
            outcome: 'decided',
            decision: { action: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET', detail: 'd' },
          },
        },
      },
    ];
    const [track] = buildTracks(entries, 1000, (g) => g.replace('web-', ''));
    expect(track).toMatchObject({
      instanceId: 'i-1',
      version: 'v2',
      states: [
        { state: 'Pending', from: 0, to: 100 },
        { state: 'Pending:Wait', from: 100, to: 2100 },
        { state: 'InService', from: 2100 },
      ],
      decisions: [{ t: 2100, action: 'CONTINUE', afterMs: 2000 }],
    });
  });
});

describe('expectations', () => {
  const result = (over: Partial<DeployResult>): DeployResult => ({
    outcome: 'rolled-back',
    failure: 'CIRCUIT_BREAKER',
    detail: 'd',
    group: 'web-v3',
    previousGroup: 'web-v2',
    version: 'v3',
    abandons: 2,
    startedAt: 0,
    endedAt: 1,
    ...over,
  });
  const track = (action: string, reason: string) => ({
    instanceId: 'i-1',
    group: 'web-v3',
    version: 'v3',
    states: [],
    lb: [],
    decisions: [{ t: 1, action, reason, detail: '', afterMs: 5000 }],
  });
  const expectation = {
    outcome: 'rolled-back',
    failure: 'CIRCUIT_BREAKER',
    decisions: [{ action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE' }],
    maxDecisionMs: 4000,
  } as const;

  it('names each mismatch: an unexpected decision, a slow one, a touched serving group', () => {
    const out = checkDeploy(expectation, {
      step: 3,
      result: result({}),
      tracks: [track('ABANDON', 'DEADLINE_EXCEEDED')],
      previousServing: { ok: false, detail: 'before: i-a; now: none' },
    });
    expect(out.filter((r) => !r.ok).map((r) => r.what)).toEqual([
      'deploy v3: gate decisions',
      'deploy v3: decision time after the hook',
      'deploy v3: web-v2 keeps serving',
    ]);
    expect(out.find((r) => r.what === 'deploy v3: gate decisions')?.actual).toBe(
      '1× ABANDON DEADLINE_EXCEEDED',
    );
  });

  it('fails when the gate took no decision at all', () => {
    const out = checkDeploy(expectation, { step: 1, result: result({}), tracks: [] });
    expect(out.find((r) => r.what.endsWith('gate decisions'))).toMatchObject({
      ok: false,
      actual: 'no decision',
    });
  });
});

describe('scenarios', () => {
  it('has unique names, the default first, and every step names a known version', () => {
    const names = SCENARIOS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names[0]).toBe('rollout');
    for (const s of SCENARIOS) {
      for (const step of s.steps) {
        if (step.kind === 'deploy') expect(s.versions.map((v) => v.name)).toContain(step.version);
      }
    }
    expect(findScenario('nope')).toBeUndefined();
  });

  it('turns a version into an image and UserData: configuration, environment, machine faults', () => {
    const context = { database: { SQLITE_PATH: '/db' }, configuration: { 'secret-key': 's' } };
    expect(
      versionLaunchData({ name: 'v3', unappliedMigrations: ['0003_add_meter_reads'] }, context).imageId,
    ).toBe('ami-healthgate-0003_add_meter_reads');
    expect(
      versionLaunchData({ name: 'v2', faults: { impostor: true, slowStartMs: 50 } }, context).env,
    ).toMatchObject({ SIM_IMPOSTOR: '1', SIM_BOOT_DELAY_MS: '50', SECRET_KEY: 's' });
    const data = launchTemplateData({ name: 'v2', environment: { FAULT_BROKEN_HOME: '1' } }, context);
    const userData = Buffer.from(data.UserData, 'base64').toString('utf8');
    expect(userData).toContain('FAULT_BROKEN_HOME=1');
    expect(userData).toContain('APP_VERSION=v2');
    expect(userData).toContain('MIGRATE_ON_BOOT=0');
    expect(userData).toContain('SQLITE_PATH=/db');
    expect(userData).toContain('HEALTHGATE_SSM_CONFIG_PATH=/healthgate/versions/v2');
    // A command runs the user's program: the demo app's database and knobs are not its business.
    const command = versionLaunchData({ name: 'v4', command: 'python3 app.py' }, context);
    expect(command.imageId).toMatch(/^ami-cmd-[0-9a-f]{12}$/);
    expect(command.env).not.toHaveProperty('SQLITE_PATH');
    expect(command.env).toMatchObject({ APP_VERSION: 'v4', SECRET_KEY: 's' });
  });
});
