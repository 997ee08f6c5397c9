import { describe, expect, it } from 'vitest';
import { FLEET_SETTINGS } from '../../../shared/fleet/settings';
import { loadTemplate, type Resource, resourcesOfType, type Template, walk } from './cfn';

const base = loadTemplate('base.yml');
const fleet = loadTemplate('fleet.yml');

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  Condition?: unknown;
  Principal?: unknown;
}

/** Every statement of every policy document in a template (inside Fn::If branches too), trust policies included. */
function allStatements(template: Template): Statement[] {
  const found: Statement[] = [];
  for (const { key, value } of walk(template.Resources)) {
    if (key !== 'Statement' || !Array.isArray(value)) continue;
    for (const item of value as Record<string, unknown>[]) {
      if ('Fn::If' in item) {
        const [, yes, no] = item['Fn::If'] as Statement[];
        for (const branch of [yes, no]) if (branch && 'Effect' in branch) found.push(branch);
      } else {
        found.push(item as unknown as Statement);
      }
    }
  }
  return found;
}

/** The permission statements (trust policies name a Principal and grant nothing on resources). */
const statements = (template: Template) => allStatements(template).filter((s) => s.Principal === undefined);

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : s.Action ? [s.Action] : []);

/** Ingress rules onto a security group: inline ones and AWS::EC2::SecurityGroupIngress resources. */
function ingressTo(template: Template, group: string): Record<string, unknown>[] {
  const inline =
    (template.Resources[group]?.Properties.SecurityGroupIngress as Record<string, unknown>[]) ?? [];
  const separate = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')
    .map(([, r]) => r.Properties)
    .filter((p) => (p.GroupId as { Ref?: string }).Ref === group);
  return [...inline, ...separate];
}

function egressFrom(template: Template, group: string): Record<string, unknown>[] {
  const inline =
    (template.Resources[group]?.Properties.SecurityGroupEgress as Record<string, unknown>[]) ?? [];
  const separate = resourcesOfType(template, 'AWS::EC2::SecurityGroupEgress')
    .map(([, r]) => r.Properties)
    .filter((p) => (p.GroupId as { Ref?: string }).Ref === group);
  return [...inline, ...separate];
}

describe('IAM', () => {
  const all = [...statements(base), ...statements(fleet)];

  it('has policies to check', () => {
    expect(all.length).toBeGreaterThan(0);
  });

  it('grants no wildcard action and uses no NotAction', () => {
    for (const statement of [...allStatements(base), ...allStatements(fleet)]) {
      expect(statement.NotAction, statement.Sid).toBeUndefined();
      for (const action of actionsOf(statement)) {
        expect(action, statement.Sid).not.toContain('*');
        expect(action, statement.Sid).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      }
    }
  });

  it('lets the instances read their configuration path only (GetParametersByPath under SsmPrefix)', () => {
    const role = base.Resources.InstanceRole as Resource;
    const policyStatements = statements({ Resources: { role } } as unknown as Template);
    const ssm = policyStatements.filter((s) => actionsOf(s).some((a) => a.startsWith('ssm:')));
    expect(ssm.flatMap(actionsOf)).toEqual(['ssm:GetParametersByPath']);
    for (const resource of ssm.flatMap((s) => s.Resource as unknown[])) {
      const arn = (resource as { 'Fn::Sub': string })['Fn::Sub'];
      expect(arn).toMatch(
        /^arn:\$\{AWS::Partition\}:ssm:\$\{AWS::Region\}:\$\{AWS::AccountId\}:parameter\$\{SsmPrefix\}(\/\*)?$/,
      );
    }
    // KMS only through SSM, only with a named key.
    const kms = policyStatements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kms.flatMap(actionsOf)).toEqual(['kms:Decrypt']);
    expect(kms[0]?.Resource).toEqual([{ Ref: 'ConfigKmsKeyArn' }]);
    expect(JSON.stringify(kms[0]?.Condition)).toContain('kms:ViaService');
    expect(policyStatements.flatMap(actionsOf).sort()).toEqual(['kms:Decrypt', 'ssm:GetParametersByPath']);
  });

  it('trusts EC2 only to assume the instance role', () => {
    const trust = allStatements(base).filter((s) => s.Principal !== undefined);
    expect(trust).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
  });

  it('no resource of any policy is "*"', () => {
    for (const statement of all) {
      expect(JSON.stringify(statement.Resource), statement.Sid).not.toMatch(/"\*"/);
    }
  });
});

describe('security groups', () => {
  const port = FLEET_SETTINGS.appPort;

  it("admits the app (and health) port on the instances from the LB's and the gate's groups only", () => {
    const rules = ingressTo(base, 'InstanceSecurityGroup');
    expect(rules.map((r) => (r.SourceSecurityGroupId as { Ref: string }).Ref).sort()).toEqual([
      'GateSecurityGroup',
      'LoadBalancerSecurityGroup',
    ]);
    for (const rule of rules) {
      expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: port, ToPort: port });
      expect(rule.CidrIp).toBeUndefined();
      expect(rule.CidrIpv6).toBeUndefined();
    }
  });

  it('admits nothing into the gate', () => {
    expect(ingressTo(base, 'GateSecurityGroup')).toEqual([]);
  });

  it('lets the gate out to the instances on the app port and to HTTPS only', () => {
    const rules = egressFrom(base, 'GateSecurityGroup');
    expect(rules).toContainEqual(
      expect.objectContaining({
        FromPort: port,
        ToPort: port,
        DestinationSecurityGroupId: { Ref: 'InstanceSecurityGroup' },
      }),
    );
    for (const rule of rules) {
      expect(rule.IpProtocol).toBe('tcp');
      if (rule.CidrIp !== undefined) expect([rule.FromPort, rule.ToPort]).toEqual([443, 443]);
    }
  });

  it('lets the LB out to the instances on the app port only', () => {
    expect(egressFrom(base, 'LoadBalancerSecurityGroup')).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: port,
        ToPort: port,
        DestinationSecurityGroupId: { Ref: 'InstanceSecurityGroup' },
      }),
    ]);
  });

  it('lets the instances out to HTTPS and, when named, the database only', () => {
    const rules = egressFrom(base, 'InstanceSecurityGroup');
    expect(rules.length).toBe(2);
    for (const rule of rules) {
      const toDatabase =
        (rule.DestinationSecurityGroupId as { Ref?: string } | undefined)?.Ref === 'DatabaseSecurityGroupId';
      expect(toDatabase || (rule.FromPort === 443 && rule.ToPort === 443), JSON.stringify(rule)).toBe(true);
    }
    const [, databaseRule] = resourcesOfType(base, 'AWS::EC2::SecurityGroupEgress').find(
      ([, r]) =>
        (r.Properties.DestinationSecurityGroupId as { Ref?: string }).Ref === 'DatabaseSecurityGroupId',
    )!;
    expect(databaseRule.Condition).toBe('HasDatabase');
  });

  it('the fleet stack creates no security group or role of its own', () => {
    for (const type of ['AWS::EC2::SecurityGroup', 'AWS::IAM::Role', 'AWS::IAM::Policy']) {
      expect(resourcesOfType(fleet, type), type).toEqual([]);
    }
  });
});
