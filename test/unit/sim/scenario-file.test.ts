/** Scenario files: the built-in scenarios are files of the same format a user writes; every problem is named. */
import { describe, expect, it } from 'vitest';
import {
  parseScenarioText,
  SCENARIOS,
  ScenarioFileError,
  scenarioImages,
  versionConfiguration,
  withApp,
} from '../../../sim/scenarios';
import { readBuiltinScenarioFiles } from '../../../sim/scenarios/builtin-files';

const problemsOf = (text: string): string[] => {
  try {
    parseScenarioText(text, 'test.yaml');
  } catch (error) {
    if (error instanceof ScenarioFileError) return [...error.problems];
    throw error;
  }
  return [];
};

const MINIMAL = `
name: ok
description: two versions
versions:
  - name: v1
  - name: v2
    command: python3 app.py
    environment: { WORKERS: 4, DEBUG: false }
    configuration: { set: { region: eu }, missing: [secret-key] }
    faults: { slowStartMs: 500, refuseConnections: true }
baseline: v1
steps:
  - kind: deploy
    version: v2
    expect: deployed
`;

describe('scenario files', () => {
  it('hold every built-in scenario, one file each, named after it', () => {
    const files = readBuiltinScenarioFiles().map((f) => f.file);
    expect(files.sort()).toEqual(SCENARIOS.map((s) => `${s.name}.yaml`).sort());
    expect(SCENARIOS[0]?.name).toBe('rollout');
  });

  it('read YAML and JSON alike; a baseline is the first deploy, expected to go live', () => {
    const scenario = parseScenarioText(MINIMAL, 'ok.yaml');
    expect(scenario.steps).toEqual([
      {
        kind: 'deploy',
        version: 'v1',
        expect: {
          outcome: 'deployed',
          decisions: [{ action: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET' }],
          verdict: 'proceed',
        },
      },
      {
        kind: 'deploy',
        version: 'v2',
        expect: (scenario.steps[0] as { expect: unknown }).expect,
      },
    ]);
    expect(scenario.versions[1]?.environment).toEqual({ WORKERS: '4', DEBUG: 'false' });
    const json = JSON.stringify({
      name: 'ok',
      description: 'json',
      versions: [{ name: 'v1' }],
      steps: [{ kind: 'deploy', version: 'v1', expect: 'deployed' }],
    });
    expect(parseScenarioText(json, 'ok.json').steps).toHaveLength(1);
  });

  it('name each problem by the path of its field and what was expected', () => {
    const problems = problemsOf(`
name: Not A Name
description: ''
capacity: 0
versions:
  - name: v1
    comand: x
    faults: { hangs: 1, killAfterMs: -5 }
  - name: v1
    command: python3 app.py
    unappliedMigrations: [0003_add_meter_reads]
steps:
  - kind: deploy
    version: v1
    expect: { outcome: deployed, decisions: [CONTINUE SOON] }
  - kind: api-faults
    rules: [{ service: dynamodb, throttleRate: 2 }]
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^name: a scenario name: lower-case letters/),
        expect.stringMatching(/^description: Too small/),
        expect.stringMatching(/^capacity: Too small: expected number to be >=1/),
        expect.stringMatching(
          /^versions\[0\]\.comand: unknown field; expected one of name, description, command/,
        ),
        expect.stringMatching(/^versions\[0\]\.faults\.hangs: unknown field; expected one of slowStartMs/),
        expect.stringMatching(/^versions\[0\]\.faults\.killAfterMs: Too small/),
        expect.stringMatching(/^versions\[1\]\.unappliedMigrations: only the demo app ships migrations/),
        expect.stringMatching(/^steps\[0\]\.expect\.decisions\[0\]: a decision "ACTION REASON"/),
        expect.stringMatching(/^steps\[1\]\.rules\[0\]\.service: Invalid option/),
        expect.stringMatching(/^steps\[1\]\.rules\[0\]\.throttleRate: Too big/),
      ]),
    );
  });

  it('check names across the file and the policy as the gate does, once the shape is right', () => {
    expect(
      problemsOf(`
name: refs
description: d
versions: [{ name: v1 }, { name: v1 }]
baseline: v9
steps:
  - { kind: deploy, version: v7, expect: deployed }
  - { kind: database-outage }
`),
    ).toEqual([
      'versions[1].name: a second version named v1',
      'baseline: one of the versions (v1, v1), got v9',
      'steps[0].version: one of the versions (v1, v1), got v7',
      'steps[1].kind: a database outage needs database: postgresql (a SQLite file cannot go away)',
    ]);
    expect(
      problemsOf(`
name: policy
description: d
policy: { healthyTreshold: 3 }
versions: [{ name: v1, policy: { deadlineSeconds: 0.5 } }]
steps: [{ kind: deploy, version: v1, expect: deployed }]
`),
    ).toEqual([
      expect.stringMatching(/^policy\.healthyTreshold: /),
      'versions[0].policy.deadlineSeconds: must be at least 1',
    ]);
    expect(
      problemsOf(`
name: policy
description: d
versions: [{ name: v1, policy: { deadlineSeconds: 0.5 } }]
steps: [{ kind: deploy, version: v1, expect: deployed }]
`),
    ).toEqual([expect.stringMatching(/^versions\[0\]\.policy\.deadlineSeconds: /)]);
  });

  it('refuse text that is not YAML, naming the line', () => {
    expect(problemsOf('versions: [1, 2')).toEqual([
      expect.stringMatching(/^\(file\): not YAML or JSON: .*line 1/),
    ]);
  });
});

describe('a scenario with --app', () => {
  it('runs the command as every version without one, and refuses a version shipping demo migrations', () => {
    const scenario = withApp(parseScenarioText(MINIMAL, 'ok.yaml'), 'ruby app.rb');
    expect(scenario.versions.map((v) => v.command)).toEqual(['ruby app.rb', 'python3 app.py']);
    expect(() => withApp(SCENARIOS[0]!, 'ruby app.rb')).toThrow(ScenarioFileError);
  });

  it('builds one image per command, and the demo base image only when a version runs the demo', () => {
    const scenario = parseScenarioText(MINIMAL, 'ok.yaml');
    expect(scenarioImages(scenario, '/work').map((i) => i.imageId)).toEqual([
      'ami-healthgate-base',
      expect.stringMatching(/^ami-cmd-/),
    ]);
    const commands = withApp(scenario, 'python3 app.py');
    expect(scenarioImages(commands, '/work')).toEqual([
      {
        imageId: expect.stringMatching(/^ami-cmd-/),
        command: 'python3 app.py',
        cwd: '/work',
        readinessPath: '/health',
      },
    ]);
    expect(versionConfiguration({ 'secret-key': 's', region: 'us' }, scenario.versions[1]!)).toEqual({
      region: 'eu',
    });
  });

  it('read a rolling step: its refresh preferences and expectations; refuse one with nothing serving to refresh', () => {
    const scenario = parseScenarioText(
      `
name: rolling
description: in place
versions: [{ name: v1 }, { name: v2, faults: { lbUnreachable: true } }]
baseline: v1
steps:
  - kind: deploy
    version: v2
    strategy: rolling
    checkFromOutside: true
    refresh: { checkpointDelaySeconds: 40, maxHealthyPercentage: 110 }
    expect:
      outcome: rolled-back
      failure: VERDICT_HOLD
      decisions: [CONTINUE HEALTHY_THRESHOLD_MET]
      minServingCapacity: 3
      refreshStatus: RollbackSuccessful
`,
      'rolling.yaml',
    );
    expect(scenario.steps[1]).toMatchObject({
      strategy: 'rolling',
      checkFromOutside: true,
      refresh: { checkpointDelaySeconds: 40, maxHealthyPercentage: 110 },
      expect: { minServingCapacity: 3, refreshStatus: 'RollbackSuccessful' },
    });
    const problems = problemsOf(`
name: rolling
description: nothing serves
versions: [{ name: v1 }]
steps:
  - kind: deploy
    version: v1
    strategy: rolling
    capacity: 2
    expect: deployed
  - kind: deploy
    version: v1
    refresh: { bakeTimeSeconds: 5 }
    expect: deployed
`);
    expect(problems.join('\n')).toMatch(/steps\[0\]\.strategy: a rolling deploy refreshes the serving group/);
    expect(problems.join('\n')).toMatch(/steps\[0\]\.capacity: a rolling deploy keeps/);
    expect(problems.join('\n')).toMatch(
      /steps\[1\]\.refresh: instance refresh preferences need strategy: rolling/,
    );
    const shape = problemsOf(`
name: rolling
description: a status AWS has not
versions: [{ name: v1 }]
baseline: v1
steps:
  - kind: deploy
    version: v1
    strategy: rolling
    expect: { outcome: deployed, decisions: [CONTINUE HEALTHY_THRESHOLD_MET], refreshStatus: Done }
`);
    expect(shape.join('\n')).toMatch(/steps\[0\]\.expect\.refreshStatus/);
  });
});
