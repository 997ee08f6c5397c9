/**
 * The gate's trust boundaries: what an event or a continuation may claim, and what the gate completes, marks or
 * waits for because of it. Real adapters over mocked SDK clients, a real probe against a loopback instance.
 */
import {
  CompleteLifecycleActionCommand,
  DescribeAutoScalingInstancesCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetInstanceHealthCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import {
  DescribeInstanceHealthCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LbVerdictNotRecordedError,
  LbWatchNotScheduledError,
  MembershipUnverifiedError,
} from '../../../shared/launch/errors';
import { parseStateKeys, seal } from '../../../shared/launch/state-seal';
import {
  createHarness,
  EVENT_TIME,
  type FakeInstance,
  GROUP,
  type Harness,
  HOOK,
  healthBody,
  INSTANCE,
  launchEvent,
  PEER,
  type RunOutcome,
  STATE_KEY,
  startInstance,
  TOKEN,
} from '../../support/launch-harness';

let instance: FakeInstance;
beforeEach(async () => {
  instance = await startInstance();
});
afterEach(async () => {
  await instance.close();
});

const completions = (h: Harness) =>
  h.mocks.as.commandCalls(CompleteLifecycleActionCommand).map((c) => c.args[0].input);
const metricNames = (h: Harness) => h.metrics.points.map((p) => p.name);
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
const failedClassic = {
  InstanceStates: [
    { InstanceId: INSTANCE, State: 'OutOfService' as const, ReasonCode: 'Instance', Description: 'failed' },
  ],
};

function decided(outcome: RunOutcome) {
  if (outcome.outcome !== 'decided') throw new Error(`expected a decision, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** A continuation of the gate phase, sealed with the harness's key as the gate seals its own. */
function sealedGateContinuation(action: Record<string, unknown>, state: Record<string, unknown>) {
  const body = { healthgate: 'step', v: 1, phase: 'gate', action, state };
  return { ...body, seal: seal(body, parseStateKeys('test', STATE_KEY).seal) };
}

describe('the action completed is the instance judged (item: token paired with another instance)', () => {
  it("an event pairing a launching instance's token with an in-service peer's id completes nothing", async () => {
    const h = createHarness(instance, { inService: [{ instanceId: PEER, privateIp: '127.0.0.1' }] });
    h.mocks.ec2.on(DescribeInstancesCommand, { InstanceIds: [PEER] }).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: PEER,
              PrivateIpAddress: '127.0.0.1',
              State: { Name: 'running', Code: 16 },
              Tags: [{ Key: 'aws:autoscaling:groupName', Value: GROUP }],
            },
          ],
        },
      ],
    });
    instance.reply(() => ({ status: 200, body: healthBody('pass', { instanceId: PEER }) }));
    const out = await h.run(launchEvent({ EC2InstanceId: PEER }));

    // The peer is in service: its launch was continued long ago, so at most its LB verdict is looked at.
    expect(out.outcome).not.toBe('decided');
    expect(completions(h)).toEqual([]);
    expect(h.mocks.as.commandCalls(RecordLifecycleActionHeartbeatCommand)).toHaveLength(0);
    expect(h.probes).toHaveLength(0);
  });

  it('a sealed continuation pairing the token with an in-service peer completes nothing either', async () => {
    const h = createHarness(instance, { inService: [{ instanceId: PEER, privateIp: '127.0.0.1' }] });
    const action = { group: GROUP, hook: HOOK, token: TOKEN, instanceId: PEER };
    const state = {
      v: 1,
      instanceId: PEER,
      startedAt: EVENT_TIME,
      lastHeartbeatAt: EVENT_TIME,
      probes: 2,
      handovers: 1,
      history: [
        { at: EVENT_TIME + 100, latencyMs: 1, outcome: 'pass', instanceId: PEER, failingChecks: [] },
        { at: EVENT_TIME + 200, latencyMs: 1, outcome: 'pass', instanceId: PEER, failingChecks: [] },
      ],
    };
    const out = await h.run(sealedGateContinuation(action, state));
    expect(out.outcome).not.toBe('decided');
    expect(completions(h)).toEqual([]);
  });

  it('every completion and heartbeat names the instance, never the token', async () => {
    instance.reply((n) =>
      n < 2
        ? { status: 503, body: healthBody('fail', { failing: [{ name: 'homepage:status' }] }) }
        : { status: 200, body: healthBody('pass') },
    );
    const h = createHarness(instance, { heartbeatTimeout: 2 });
    decided(await h.run(launchEvent()));
    const sent = [
      ...completions(h),
      ...h.mocks.as.commandCalls(RecordLifecycleActionHeartbeatCommand).map((c) => c.args[0].input),
    ];
    expect(sent.length).toBeGreaterThan(1);
    for (const input of sent) {
      expect(input).toMatchObject({
        AutoScalingGroupName: GROUP,
        LifecycleHookName: HOOK,
        InstanceId: INSTANCE,
      });
      expect(input).not.toHaveProperty('LifecycleActionToken');
    }
  });

  const notWaiting = ['Standby', 'EnteringStandby', 'Detaching', 'Warmed:Pending:Wait', 'Pending:Proceed:x'];
  for (const state of notWaiting) {
    it(`an instance listed as ${state} is neither probed nor completed`, async () => {
      const h = createHarness(instance, { lifecycleState: state });
      const out = await h.run(launchEvent());
      expect(out).toMatchObject({ outcome: 'stopped' });
      expect(out.outcome === 'stopped' && out.why).toContain(state);
      expect(completions(h)).toEqual([]);
      expect(h.probes).toHaveLength(0);
    });
  }

  it('an instance still Pending (the listing lags) is looked for again at the next interval, then gated', async () => {
    const h = createHarness(instance, { lifecycleState: 'Pending' });
    const start = h.clock.now();
    // The listing catches up after the first look.
    const schedule = h.deps.schedule;
    h.deps.schedule = async (step, delay) => {
      h.setLifecycleState('Pending:Wait');
      await schedule(step, delay);
    };
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'CONTINUE' });
    expect(h.clock.now() - start).toBeGreaterThanOrEqual(2_000);
    expect(h.log.entries.some((e) => e.message.startsWith('instance not yet waiting on the hook'))).toBe(
      true,
    );
  });

  it('an instance that never waits on the hook is abandoned by instance at the deadline, never continued', async () => {
    const h = createHarness(instance, { lifecycleState: 'Pending' });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' });
    expect(h.probes).toHaveLength(0);
    expect(completions(h)).toEqual([
      expect.objectContaining({ InstanceId: INSTANCE, LifecycleActionResult: 'ABANDON' }),
    ]);
  });

  it('a warm-pool event for an instance warmed but not waiting (Warmed:Running) is gated, not continued', async () => {
    const h = createHarness(instance, {
      asInstance: { groupName: GROUP, lifecycleState: 'Warmed:Running' },
    });
    instance.reply(() => ({
      status: 503,
      body: healthBody('fail', { failing: [{ name: 'migrations:pending', transient: false }] }),
    }));
    const out = decided(await h.run(launchEvent({ Destination: 'WarmPool' })));
    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE' });
  });
});

describe("the load balancer's verdict after CONTINUE is never lost", () => {
  it('marking Unhealthy fails: the error is thrown, and the retried event resumes the watch and marks it', async () => {
    const h = createHarness(instance);
    h.mocks.elb.on(DescribeInstanceHealthCommand).resolves(failedClassic);
    h.mocks.as.on(CompleteLifecycleActionCommand).callsFake(() => {
      h.setLifecycleState('InService');
      return {};
    });
    h.mocks.as.on(SetInstanceHealthCommand).rejectsOnce(throttled()).resolves({});

    await expect(h.run(launchEvent())).rejects.toBeInstanceOf(LbVerdictNotRecordedError);
    expect(h.log.entries.find((e) => e.level === 'error')?.fields).toMatchObject({ reason: 'LB_UNHEALTHY' });

    // Lambda's retry delivers the same event: the action is already continued, the watch resumes.
    const retry = await h.run(launchEvent());
    expect(retry).toMatchObject({ outcome: 'lb-verified', verdict: 'unhealthy' });
    expect(completions(h)).toHaveLength(1);
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(2);
    expect(metricNames(h)).toContain('LbDisagreements');
  });

  it('membership unreadable: thrown, and the retried event resumes the watch and marks it', async () => {
    const h = createHarness(instance, { asInstance: { groupName: GROUP, lifecycleState: 'InService' } });
    h.mocks.elb.on(DescribeInstanceHealthCommand).resolves(failedClassic);
    h.mocks.as.on(CompleteLifecycleActionCommand).callsFake(() => {
      h.setLifecycleState('InService');
      return {};
    });
    h.mocks.as
      .on(DescribeAutoScalingInstancesCommand)
      .rejectsOnce(throttled())
      .resolves({
        AutoScalingInstances: [
          {
            InstanceId: INSTANCE,
            AutoScalingGroupName: GROUP,
            AvailabilityZone: 'us-east-1a',
            LifecycleState: 'InService',
            HealthStatus: 'HEALTHY',
            ProtectedFromScaleIn: false,
          },
        ],
      });
    await expect(h.run(launchEvent())).rejects.toBeInstanceOf(MembershipUnverifiedError);
    const retry = await h.run(launchEvent());
    expect(retry).toMatchObject({ outcome: 'lb-verified', verdict: 'unhealthy' });
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(1);
  });

  it('the watch cannot be scheduled: thrown, and the redelivered step starts it', async () => {
    const h = createHarness(instance);
    h.mocks.elb.on(DescribeInstanceHealthCommand).resolves(failedClassic);
    let completed = false;
    h.mocks.as.on(CompleteLifecycleActionCommand).callsFake(() => {
      if (completed) {
        throw Object.assign(new Error(`No active Lifecycle Action found with instance ID ${INSTANCE}`), {
          name: 'ValidationError',
          $metadata: { httpStatusCode: 400 },
        });
      }
      completed = true;
      h.setLifecycleState('InService');
      return {};
    });
    const schedule = h.deps.schedule;
    let refused = 0;
    h.deps.schedule = async (step, delay) => {
      if (step.phase === 'lb-verify' && refused++ === 0) {
        throw Object.assign(new Error('Rate exceeded'), { name: 'RequestThrottled' });
      }
      return schedule(step, delay);
    };
    await expect(h.run(launchEvent())).rejects.toBeInstanceOf(LbWatchNotScheduledError);
    expect(completions(h)).toHaveLength(1);

    // SQS delivers the failed step again: the launch is continued, so its watch starts.
    const retry = await h.rerun();
    expect(retry).toMatchObject({
      outcome: 'decided',
      completion: 'already-completed',
      lb: { verdict: 'unhealthy' },
    });
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(1);
  });

  it('a CONTINUE answered "no active action" while the instance is in service still gets its watch', async () => {
    const h = createHarness(instance);
    h.mocks.elb.on(DescribeInstanceHealthCommand).resolves(failedClassic);
    h.mocks.as.on(CompleteLifecycleActionCommand).callsFake(() => {
      // The first attempt landed; its answer was lost, and the retried call finds the action gone.
      h.setLifecycleState('InService');
      throw Object.assign(new Error(`No active Lifecycle Action found with instance ID ${INSTANCE}`), {
        name: 'ValidationError',
        $metadata: { httpStatusCode: 400 },
      });
    });
    const out = decided(await h.run(launchEvent()));
    expect(out.completion).toBe('already-completed');
    expect(out.lb?.verdict).toBe('unhealthy');
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(1);
  });
});

describe("the gate decides before the hook's own clock", () => {
  const slowPolicy = (port: number, deadlineSeconds: number) => ({
    port,
    probeCidrs: ['127.0.0.0/8'],
    intervalSeconds: 10,
    timeoutSeconds: 1,
    healthyThreshold: 3,
    deadlineSeconds,
    lbVerifySeconds: 20,
  });
  const failing = () => ({
    status: 503,
    body: healthBody('fail', { failing: [{ name: 'homepage:status' }] }),
  });

  it("a deadline past the hook's global timeout is shortened: ABANDON lands before the hook decides", async () => {
    instance.reply(failing);
    // HeartbeatTimeout 30 s: the action lasts at most 3000 s, the policy asks for 7200 s.
    const h = createHarness(instance, {
      heartbeatTimeout: 30,
      policy: slowPolicy(instance.port, 7200),
      budgetMs: 10_000_000,
    });
    let completedAt = 0;
    h.mocks.as.on(CompleteLifecycleActionCommand).callsFake(() => {
      completedAt = h.clock.now();
      return {};
    });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' });
    expect(completedAt - EVENT_TIME, 'decided before the hook').toBeLessThan(3000 * 1000);
    expect(completedAt - EVENT_TIME, 'decided near the shortened deadline').toBeGreaterThan(2900 * 1000);
    expect(h.log.entries.some((e) => e.message.startsWith('deadline shortened'))).toBe(true);
  });

  it('a global timeout the hook reports is respected too', async () => {
    instance.reply(failing);
    const h = createHarness(instance, {
      heartbeatTimeout: 300,
      hookGlobalTimeout: 600,
      policy: slowPolicy(instance.port, 3600),
      budgetMs: 10_000_000,
    });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision.reason).toBe('DEADLINE_EXCEEDED');
    expect(h.clock.now() - EVENT_TIME).toBeLessThan(600 * 1000);
  });

  it('a hook too short for the policy to ever continue is POLICY_INVALID at once', async () => {
    const h = createHarness(instance, {
      heartbeatTimeout: 30,
      hookGlobalTimeout: 60,
      policy: slowPolicy(instance.port, 600),
    });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'POLICY_INVALID' });
    expect(out.decision.detail).toContain('global timeout');
    expect(h.probes).toHaveLength(0);
  });

  it('a fail-open hook (DefaultResult CONTINUE) is logged as an error and counted', async () => {
    const h = createHarness(instance, { hookDefaultResult: 'CONTINUE' });
    decided(await h.run(launchEvent()));
    expect(metricNames(h)).toContain('FailOpenHooks');
    const entry = h.log.entries.find((e) => e.message.startsWith('lifecycle hook is fail-open'));
    expect(entry?.level).toBe('error');
  });

  it("a hook that cannot be found is assumed AWS's shortest: heartbeats at most 15 s apart", async () => {
    instance.reply(failing);
    const h = createHarness(instance, {
      noHook: true,
      policy: slowPolicy(instance.port, 120),
    });
    const beats: number[] = [];
    h.mocks.as.on(RecordLifecycleActionHeartbeatCommand).callsFake(() => {
      beats.push(h.clock.now());
      return {};
    });
    decided(await h.run(launchEvent()));
    const times = [EVENT_TIME, ...beats];
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    expect(beats.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000);
  });
});

describe('a load-balancer health check that cannot be read is one rule for both kinds', () => {
  const targets = ['HTTP:0/health', 'HTTP:65536/health', 'HTTP:80garbage', 'TCP:0', 'HTTP', ''];
  for (const target of targets) {
    it(`classic target ${JSON.stringify(target)} → POLICY_INVALID, nothing probed`, async () => {
      const h = createHarness(instance);
      h.mocks.elb.on(DescribeLoadBalancersCommand).resolves({
        LoadBalancerDescriptions: [
          {
            LoadBalancerName: 'web-classic',
            HealthCheck: {
              Target: target,
              Interval: 30,
              Timeout: 5,
              HealthyThreshold: 2,
              UnhealthyThreshold: 2,
            },
          },
        ],
      });
      const out = decided(await h.run(launchEvent()));
      expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'POLICY_INVALID' });
      expect(out.decision.detail).toContain('web-classic');
      expect(h.probes).toHaveLength(0);
    });
  }

  for (const port of ['0', '65536', 'garbage', '80x']) {
    it(`target group HealthCheckPort ${JSON.stringify(port)} → POLICY_INVALID, nothing probed`, async () => {
      const arn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef';
      const h = createHarness(instance, { loadBalancerNames: [], targetGroupArns: [arn] });
      h.mocks.elbv2.on(DescribeTargetGroupsCommand).resolves({
        TargetGroups: [
          {
            TargetGroupArn: arn,
            TargetGroupName: 'web',
            Protocol: 'HTTP',
            Port: instance.port,
            HealthCheckEnabled: true,
            HealthCheckProtocol: 'HTTP',
            HealthCheckPort: port,
            HealthCheckPath: '/health',
          },
        ],
      });
      const out = decided(await h.run(launchEvent()));
      expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'POLICY_INVALID' });
      expect(h.probes).toHaveLength(0);
    });
  }
});
