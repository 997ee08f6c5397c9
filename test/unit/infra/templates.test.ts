import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calls, danglingReferences, INFRA_DIR, loadTemplate, parseTemplate, type Template } from './cfn';

const base = loadTemplate('base.yml');
const fleet = loadTemplate('fleet.yml');
const templates: [string, Template][] = [
  ['base.yml', base],
  ['fleet.yml', fleet],
];

const hasCfnLint = spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' }).status === 0;

describe('template structure', () => {
  it.each(templates)('%s is a CloudFormation template with parameters, resources and outputs', (_, t) => {
    expect(t.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(Object.keys(t.Parameters).length).toBeGreaterThan(0);
    expect(Object.keys(t.Resources).length).toBeGreaterThan(0);
    expect(Object.keys(t.Outputs ?? {}).length).toBeGreaterThan(0);
  });

  it.each(templates)('every reference in %s resolves (Ref, GetAtt, Sub, conditions)', (_, t) => {
    expect(danglingReferences(t)).toEqual([]);
  });

  it('the reference check finds what does not resolve', () => {
    const broken = parseTemplate(`
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Known: { Type: String }
Conditions:
  Defined: !Equals [!Ref Known, x]
Resources:
  Thing:
    Type: AWS::SNS::Topic
    Condition: Missing
    Properties:
      TopicName: !Sub "\${Known}-\${Unknown}-\${AWS::Region}-\${!Literal}"
      DisplayName: !Ref Nowhere
      Tags:
        - Key: a
          Value: !GetAtt Ghost.Arn
        - Key: b
          Value: !If [Undefined, x, y]
`);
    expect(danglingReferences(broken).sort()).toEqual(
      ['Condition Missing', 'Condition Undefined', 'GetAtt Ghost', 'Ref Nowhere', `Sub \${Unknown}`].sort(),
    );
  });

  it.each(templates)('every output of %s is exported as <stack>-<output>', (_, t) => {
    for (const [name, output] of Object.entries(t.Outputs ?? {})) {
      expect(output.Export, name).toEqual({ Name: { 'Fn::Sub': `\${AWS::StackName}-${name}` } });
    }
  });

  it("every import of the fleet stack is an unconditional export of the base stack's", () => {
    const imports = calls(fleet, 'Fn::ImportValue');
    expect(imports.length).toBeGreaterThan(0);
    for (const imported of imports) {
      const sub = (imported as { 'Fn::Sub': string })['Fn::Sub'];
      const match = /^\$\{BaseStackName\}-(\w+)$/.exec(sub);
      expect(match, sub).not.toBeNull();
      const output = base.Outputs?.[match![1]!];
      expect(output?.Export, sub).toBeDefined();
      expect(output?.Condition, sub).toBeUndefined();
    }
  });

  it('the base stack gives the functions stack its security group, subnets and health token parameter', () => {
    for (const output of ['GateSecurityGroupId', 'PrivateSubnetIds', 'HealthTokenParameter', 'VpcId']) {
      expect(base.Outputs?.[output]?.Condition, output).toBeUndefined();
    }
    // serverless.yml's subnetIds param is comma-separated.
    expect(base.Outputs?.PrivateSubnetIds?.Value).toEqual({ 'Fn::Join': [',', { Ref: 'PrivateSubnets' }] });
  });

  it.skipIf(!hasCfnLint)('cfn-lint reports nothing', () => {
    const files = ['base.yml', 'fleet.yml'].map((f) => resolve(INFRA_DIR, 'templates', f));
    // Throws with cfn-lint's findings on a non-zero exit.
    expect(execFileSync('cfn-lint', files, { encoding: 'utf8' })).toBe('');
  });
});
