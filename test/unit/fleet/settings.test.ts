import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASELINE_GROUP_TAG } from '../../../shared/fleet/baseline-group';
import { checkHookTiming } from '../../../shared/fleet/hook-timing';
import {
  classicHealthCheck,
  classicHealthCheckTarget,
  FLEET_SETTINGS,
  groupHealthCheck,
  instanceMaintenancePolicy,
  launchHookSpecification,
  targetGroupHealthCheck,
} from '../../../shared/fleet/settings';
import { DEFAULT_POLICY } from '../../../shared/gate/policy';
import { loadTemplate, onlyResource } from '../infra/cfn';

const base = loadTemplate('base.yml');
const fleet = loadTemplate('fleet.yml');

describe('the load balancer check (base.yml)', () => {
  it("keeps the seed's numbers: HTTP:80/health, interval 15, healthy 2, unhealthy 10, timeout 5", () => {
    expect(classicHealthCheck()).toEqual({
      Target: 'HTTP:80/health',
      Interval: 15,
      Timeout: 5,
      HealthyThreshold: 2,
      UnhealthyThreshold: 10,
    });
  });

  it("the classic ELB's HealthCheck is fleet-settings' classicHealthCheck()", () => {
    const [, elb] = onlyResource(base, 'AWS::ElasticLoadBalancing::LoadBalancer');
    const check = elb.Properties.HealthCheck as Record<string, string>;
    const expected = classicHealthCheck();
    expect(check.Target).toBe(expected.Target);
    // Classic ELB properties are strings in CloudFormation.
    expect(Number(check.Interval)).toBe(expected.Interval);
    expect(Number(check.Timeout)).toBe(expected.Timeout);
    expect(Number(check.HealthyThreshold)).toBe(expected.HealthyThreshold);
    expect(Number(check.UnhealthyThreshold)).toBe(expected.UnhealthyThreshold);
    expect(elb.Properties.ConnectionDrainingPolicy).toEqual({
      Enabled: true,
      Timeout: FLEET_SETTINGS.drainingSeconds,
    });
  });

  it('every classic listener forwards to the app port', () => {
    const [, elb] = onlyResource(base, 'AWS::ElasticLoadBalancing::LoadBalancer');
    const listeners = (elb.Properties.Listeners as Record<string, unknown>[]).map((l) =>
      'Fn::If' in l ? ((l['Fn::If'] as unknown[])[1] as Record<string, unknown>) : l,
    );
    expect(listeners.length).toBe(2);
    for (const listener of listeners) {
      expect(Number(listener.InstancePort)).toBe(FLEET_SETTINGS.appPort);
      expect(listener.InstanceProtocol).toBe('HTTP');
    }
  });

  it("the ALB target group's check is fleet-settings' targetGroupHealthCheck()", () => {
    const [, tg] = onlyResource(base, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    const { HealthCheckPort, ...numbers } = targetGroupHealthCheck();
    expect(tg.Properties).toMatchObject(numbers);
    expect(String(tg.Properties.HealthCheckPort)).toBe(HealthCheckPort);
    expect(tg.Properties.Port).toBe(FLEET_SETTINGS.appPort);
    expect(tg.Properties.TargetGroupAttributes).toContainEqual({
      Key: 'deregistration_delay.timeout_seconds',
      Value: String(FLEET_SETTINGS.drainingSeconds),
    });
  });

  it('the LoadBalancerType parameter chooses between the classic ELB and the ALB', () => {
    expect(base.Parameters.LoadBalancerType?.AllowedValues).toEqual(['classic', 'alb']);
    expect(base.Parameters.LoadBalancerType?.Default).toBe('classic');
    expect(base.Conditions?.UseClassic).toEqual({ 'Fn::Equals': [{ Ref: 'LoadBalancerType' }, 'classic'] });
    expect(base.Conditions?.UseAlb).toEqual({ 'Fn::Equals': [{ Ref: 'LoadBalancerType' }, 'alb'] });
    expect(onlyResource(base, 'AWS::ElasticLoadBalancing::LoadBalancer')[1].Condition).toBe('UseClassic');
    for (const type of [
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
      'AWS::ElasticLoadBalancingV2::TargetGroup',
    ]) {
      expect(onlyResource(base, type)[1].Condition, type).toBe('UseAlb');
    }
  });
});

describe('the group and its hook (fleet.yml)', () => {
  const [, group] = onlyResource(fleet, 'AWS::AutoScaling::AutoScalingGroup');

  it("declares fleet-settings' launch hook with the group: EC2_INSTANCE_LAUNCHING, ABANDON, 300 s", () => {
    expect(group.Properties.LifecycleHookSpecificationList).toEqual([launchHookSpecification()]);
    expect(launchHookSpecification()).toMatchObject({
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      DefaultResult: 'ABANDON',
    });
  });

  it("launches before it terminates, with fleet-settings' instance maintenance policy", () => {
    expect({ InstanceMaintenancePolicy: group.Properties.InstanceMaintenancePolicy }).toEqual(
      instanceMaintenancePolicy(),
    );
    expect(FLEET_SETTINGS.instanceMaintenance.minHealthyPercentage).toBe(100);
  });

  it('launches a numbered version: the latest, or the one a rolling deploy left pinned', () => {
    expect(group.Properties.LaunchTemplate).toEqual({
      LaunchTemplateId: { Ref: 'LaunchTemplate' },
      Version: {
        'Fn::If': [
          'HasPinnedVersion',
          { Ref: 'LaunchTemplateVersion' },
          { 'Fn::GetAtt': ['LaunchTemplate', 'LatestVersionNumber'] },
        ],
      },
    });
    expect(fleet.Parameters?.LaunchTemplateVersion).toMatchObject({ Type: 'String', Default: '' });
    const parameter = fleet.Parameters?.LaunchTemplateVersion as { AllowedPattern?: string } | undefined;
    const pattern = new RegExp(String(parameter?.AllowedPattern));
    expect(['', '7', '12'].every((v) => pattern.test(v))).toBe(true);
    expect(['$Latest', '$Default', '0'].some((v) => pattern.test(v))).toBe(false);
  });

  it("uses fleet-settings' ELB health check and grace period", () => {
    const { HealthCheckType, HealthCheckGracePeriod } = group.Properties;
    expect({ HealthCheckType, HealthCheckGracePeriod }).toEqual(groupHealthCheck());
    expect(HealthCheckType).toBe('ELB');
  });

  it("the hook's timing and the gate's default policy agree", () => {
    expect(checkHookTiming(FLEET_SETTINGS, DEFAULT_POLICY)).toEqual([]);
    // The gate probes what the LB checks.
    expect(DEFAULT_POLICY.port).toBe(FLEET_SETTINGS.loadBalancerHealthCheck.port);
    expect(DEFAULT_POLICY.path).toBe(FLEET_SETTINGS.loadBalancerHealthCheck.path);
  });

  it('the group registers with exactly the load balancer it is given', () => {
    expect(group.Properties.LoadBalancerNames).toEqual({
      'Fn::If': ['HasClassic', [{ Ref: 'LoadBalancerName' }], { Ref: 'AWS::NoValue' }],
    });
    expect(group.Properties.TargetGroupARNs).toEqual({
      'Fn::If': ['HasTargetGroup', [{ Ref: 'TargetGroupArn' }], { Ref: 'AWS::NoValue' }],
    });
    expect(fleet.Rules?.OneLoadBalancer).toBeDefined();
  });

  it('tags the group with the serving group it replaces, so the gate has a baseline in a blue/green deploy', () => {
    const tags = group.Properties.Tags as unknown[];
    expect(tags).toContainEqual({
      'Fn::If': [
        'HasBaselineGroup',
        { Key: BASELINE_GROUP_TAG, Value: { Ref: 'BaselineGroupName' }, PropagateAtLaunch: false },
        { Ref: 'AWS::NoValue' },
      ],
    });
    expect(fleet.Parameters?.BaselineGroupName).toMatchObject({ Type: 'String', Default: '' });
  });

  it('launches from the launch template with IMDSv2 required', () => {
    expect(group.Properties.LaunchTemplate).toMatchObject({ LaunchTemplateId: { Ref: 'LaunchTemplate' } });
    const [, lt] = onlyResource(fleet, 'AWS::EC2::LaunchTemplate');
    const data = lt.Properties.LaunchTemplateData as Record<string, Record<string, unknown>>;
    expect(data.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
  });

  it('fleet-settings helpers give the API shapes of the same values', () => {
    expect(classicHealthCheckTarget()).toBe('HTTP:80/health');
    expect(targetGroupHealthCheck()).toMatchObject({
      HealthCheckPath: '/health',
      HealthCheckPort: '80',
      HealthCheckIntervalSeconds: 15,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 10,
      HealthCheckTimeoutSeconds: 5,
      Matcher: { HttpCode: '200' },
    });
    expect(launchHookSpecification()).toEqual({
      LifecycleHookName: FLEET_SETTINGS.lifecycleHook.name,
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      DefaultResult: 'ABANDON',
      HeartbeatTimeout: FLEET_SETTINGS.lifecycleHook.heartbeatTimeoutSeconds,
    });
  });
});

describe('the infrastructure reference (docs/infra-and-operations.md, section `infra`)', () => {
  it('states the values fleet-settings.ts holds', () => {
    const readme = readFileSync(
      resolve(import.meta.dirname, '../../../docs/infra-and-operations.md'),
      'utf8',
    );
    const section = /<!-- section:infra -->([\s\S]*?)<!-- \/section:infra -->/.exec(readme)?.[1] ?? '';
    const lb = FLEET_SETTINGS.loadBalancerHealthCheck;
    const hook = FLEET_SETTINGS.lifecycleHook;
    for (const text of [
      `\`${classicHealthCheckTarget()}\`, interval ${lb.intervalSeconds} s, timeout ${lb.timeoutSeconds} s, healthy ${lb.healthyThreshold}, unhealthy ${lb.unhealthyThreshold}`,
      `\`${hook.name}\`, \`${hook.transition}\`, \`DefaultResult: ${hook.defaultResult}\`, heartbeat ${hook.heartbeatTimeoutSeconds} s`,
      `\`${FLEET_SETTINGS.groupHealthCheck.type}\`, grace ${FLEET_SETTINGS.groupHealthCheck.gracePeriodSeconds} s`,
      `${FLEET_SETTINGS.appPort} / ${FLEET_SETTINGS.drainingSeconds} s`,
      `min ${FLEET_SETTINGS.instanceMaintenance.minHealthyPercentage} %, max ${FLEET_SETTINGS.instanceMaintenance.maxHealthyPercentage} % (launch before terminating)`,
    ]) {
      expect(section).toContain(text);
    }
  });
});
