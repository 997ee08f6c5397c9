/**
 * AWS failing under the launch gate: every error ends in a clear decision, and a decision that cannot be
 * recorded (CompleteLifecycleAction failing) is logged and thrown so Lambda's retry and DLQ see it.
 */
import {
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetInstanceHealthCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeInstanceHealthCommand } from '@aws-sdk/client-elastic-load-balancing';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompletionFailedError, StepNotScheduledError } from '../../shared/launch/errors';
import { GROUP, INSTANCE, TOKEN_PARAMETER } from '../support/launch-harness';
import {
  expectAbandonedOnly,
  fastPolicy,
  gateHarness,
  type HostileServer,
  passingBody,
  rawResponse,
  runToEnd,
  startHostile,
} from './support';

const POLICY = `/healthgate/${GROUP}/policy`;
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });

let server: HostileServer;
beforeEach(async () => {
  server = await startHostile((socket) => socket.end(rawResponse(200, passingBody())));
});
afterEach(async () => {
  await server.close();
});

describe('AWS errors', () => {
  it('throttling on every Auto Scaling call: no probe, waits to the deadline, the ABANDON is logged and thrown', async () => {
    const h = gateHarness(server.port);
    h.mocks.as.reset();
    h.mocks.as.rejects(throttled());
    const error = await runToEnd(h).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompletionFailedError);
    const decision = (error as CompletionFailedError).decision;
    expect(decision).toMatchObject({ action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' });
    expect(decision.detail).toContain(
      'last AWS error: autoscaling.DescribeAutoScalingGroups failed: Throttling',
    );
    expect((error as Error).cause).toMatchObject({ code: 'Throttling' });
    expect(h.fetched).toEqual([]);
    // One attempt per probe interval (1 s) until the 5 s deadline.
    expect(h.mocks.as.commandCalls(DescribeAutoScalingGroupsCommand).length).toBeGreaterThanOrEqual(4);
    const line = h.log.entries.find((e) => e.message.includes('could not be completed'));
    expect(line?.fields).toMatchObject({ result: 'ABANDON', reason: 'DEADLINE_EXCEEDED' });
    expect(JSON.stringify(h.log.entries)).not.toContain('5f8e7c9a-1b2c-4d3e-8f9a-0b1c2d3e4f5a');
  });

  it('CompleteLifecycleAction failing after CONTINUE: logged with the decision, thrown, never retried here', async () => {
    const h = gateHarness(server.port);
    h.mocks.as.on(CompleteLifecycleActionCommand).rejects(throttled());
    const error = await runToEnd(h).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompletionFailedError);
    expect((error as CompletionFailedError).decision.action).toBe('CONTINUE');
    expect(h.mocks.as.commandCalls(CompleteLifecycleActionCommand)).toHaveLength(1);
    expect(h.mocks.elb.commandCalls(DescribeInstanceHealthCommand)).toHaveLength(0);
    expect(h.log.entries.find((e) => e.level === 'error')?.fields).toMatchObject({
      result: 'CONTINUE',
      reason: 'HEALTHY_THRESHOLD_MET',
    });
  });

  it('a missing policy parameter means defaults (port and path from the load balancer)', async () => {
    const h = gateHarness(server.port);
    h.deps.defaultProbeCidrs = ['127.0.0.0/8'];
    h.mocks.ssm
      .on(GetParameterCommand, { Name: POLICY })
      .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));
    const out = await runToEnd(h);
    expect(out).toMatchObject({ decision: { action: 'CONTINUE' } });
    // Default healthyThreshold 3 (stricter than the load balancer's 2).
    expect(server.requests).toHaveLength(3);
  });

  it('SSM throttled on the policy is not "missing": never probes on defaults, ABANDON at the deadline', async () => {
    const h = gateHarness(server.port);
    h.mocks.ssm.on(GetParameterCommand, { Name: POLICY }).rejects(throttled());
    const out = await runToEnd(h);
    // The group's policy unknown, the default deadline (600 s) bounds the wait.
    expect(out).toMatchObject({ decision: { action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' } });
    expect(out.outcome === 'decided' && out.decision.detail).toMatch(
      /deadline of 600 s.*last AWS error: ssm.GetParameter failed: Throttling/,
    );
    expectAbandonedOnly(h, out);
  });

  it('SSM throttled on the health token: nothing probed, ABANDON at the deadline naming it', async () => {
    const h = gateHarness(server.port);
    h.mocks.ssm.on(GetParameterCommand, { Name: TOKEN_PARAMETER }).rejects(throttled());
    const out = await runToEnd(h);
    expect(out).toMatchObject({ decision: { action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' } });
    expect(out.outcome === 'decided' && out.decision.detail).toContain('ssm.GetParameter failed: Throttling');
    expectAbandonedOnly(h, out);
  });

  it('SSM denied on the health token: ABANDON INTERNAL_ERROR at once, nothing probed', async () => {
    const h = gateHarness(server.port);
    h.mocks.ssm
      .on(GetParameterCommand, { Name: TOKEN_PARAMETER })
      .rejects(
        Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $fault: 'client' }),
      );
    const start = h.clock.now();
    const out = await runToEnd(h);
    expect(out).toMatchObject({ decision: { action: 'ABANDON', reason: 'INTERNAL_ERROR' } });
    expect(h.clock.now() - start).toBeLessThan(1_000);
    expectAbandonedOnly(h, out);
  });

  it('EC2 throttled then answering: the healthy instance is continued, not abandoned', async () => {
    const h = gateHarness(server.port);
    h.mocks.ec2
      .on(DescribeInstancesCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({
        Reservations: [
          {
            Instances: [
              {
                InstanceId: INSTANCE,
                PrivateIpAddress: '127.0.0.1',
                State: { Name: 'running', Code: 16 },
                Tags: [{ Key: 'aws:autoscaling:groupName', Value: GROUP }],
              },
            ],
          },
        ],
      });
    const out = await runToEnd(h);
    expect(out).toMatchObject({ decision: { action: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET' } });
    expect(h.mocks.ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(3);
  });

  // Whole texts, or fields laid over the loopback policy (so only the bad field can be the reason).
  const badPolicies: [string, string | Record<string, unknown>][] = [
    ['not JSON', '{port: 80'],
    ['JSON null', 'null'],
    ['an array', '[]'],
    ['a string', '"strict"'],
    ['an unknown field', { url: 'http://169.254.169.254/' }],
    ['a __proto__ key', '{"__proto__":{"probeCidrs":["0.0.0.0/0"]}}'],
    ['a wrong type', { port: '80' }],
    ['port 0', { port: 0 }],
    ['a healthy threshold of 1', { healthyThreshold: 1 }],
    ['a huge number', '{"deadlineSeconds":1e400}'],
    ['a negative deadline', { deadlineSeconds: -1 }],
    ['a timeout longer than the interval', { intervalSeconds: 1, timeoutSeconds: 5 }],
    ['a path that is a URL', { path: 'http://169.254.169.254/latest' }],
    ['a protocol-relative path', { path: '//169.254.169.254/latest' }],
    ['a path with userinfo', { path: '/@169.254.169.254' }],
    ['a path with a backslash', { path: '/\\169.254.169.254' }],
    ['an invalid CIDR', { probeCidrs: ['10.0.0.0/33'] }],
  ];
  for (const [name, bad] of badPolicies) {
    it(`a malformed policy (${name}) abandons POLICY_INVALID without a probe`, async () => {
      const policy = typeof bad === 'string' ? bad : JSON.stringify({ ...fastPolicy(server.port), ...bad });
      const h = gateHarness(server.port, { policy });
      const out = await runToEnd(h);
      expect(out).toMatchObject({ decision: { action: 'ABANDON', reason: 'POLICY_INVALID' } });
      expect(out.outcome === 'decided' && out.decision.detail).toMatch(/policy|probe target refused/);
      expectAbandonedOnly(h, out);
      expect(server.requests).toEqual([]);
    });
  }

  it('EC2 does not know the instance: INSTANCE_NOT_IN_GROUP, nothing probed', async () => {
    const h = gateHarness(server.port);
    h.mocks.ec2.reset();
    h.mocks.ec2
      .on(DescribeInstancesCommand)
      .rejects(Object.assign(new Error('does not exist'), { name: 'InvalidInstanceID.NotFound' }));
    const out = await runToEnd(h);
    expect(out).toMatchObject({ decision: { action: 'ABANDON', reason: 'INSTANCE_NOT_IN_GROUP' } });
    expectAbandonedOnly(h, out);
  });

  it('EC2 answers an empty reservation list: INSTANCE_NOT_IN_GROUP', async () => {
    const h = gateHarness(server.port);
    h.mocks.ec2.reset();
    h.mocks.ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const out = await runToEnd(h);
    expect(out).toMatchObject({ decision: { reason: 'INSTANCE_NOT_IN_GROUP' } });
    expectAbandonedOnly(h, out);
  });

  it('the group is gone: INSTANCE_NOT_IN_GROUP', async () => {
    const h = gateHarness(server.port);
    h.mocks.as.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    const out = await runToEnd(h);
    expect(out).toMatchObject({ decision: { reason: 'INSTANCE_NOT_IN_GROUP' } });
    expectAbandonedOnly(h, out);
  });

  it('a heartbeat throttled until the hook would expire abandons while the gate can still decide', async () => {
    const h = gateHarness(server.port, { heartbeatTimeout: 30 });
    server.requests.length = 0;
    const failing = await startHostile((socket) => socket.end(rawResponse(503, '{"status":"fail"}')));
    try {
      const g = gateHarness(failing.port, {
        heartbeatTimeout: 30,
        policy: fastPolicy(failing.port, { deadlineSeconds: 600 }),
      });
      g.mocks.as.on(RecordLifecycleActionHeartbeatCommand).rejects(throttled());
      const out = await runToEnd(g);
      expect(out).toMatchObject({ decision: { action: 'ABANDON', reason: 'INTERNAL_ERROR' } });
      expect(out.outcome === 'decided' && out.decision.detail).toContain('RecordLifecycleActionHeartbeat');
      expectAbandonedOnly(g, out, `http://127.0.0.1:${failing.port}/health`);
    } finally {
      await failing.close();
    }
    expect(h.completions()).toEqual([]);
  });

  it('a next step SQS refuses is thrown, never abandoned: the current step is delivered again', async () => {
    const h = gateHarness(server.port);
    const schedule = h.deps.schedule;
    let refused = 0;
    h.deps.schedule = async (step, delay) => {
      if (refused++ === 0) throw Object.assign(new Error('Rate exceeded'), { name: 'RequestThrottled' });
      return schedule(step, delay);
    };
    await expect(runToEnd(h)).rejects.toBeInstanceOf(StepNotScheduledError);
    expect(h.completions()).toEqual([]);
    // Delivered again, the step goes on (its probe is made anew) and the launch is decided as usual.
    expect(await h.rerun()).toMatchObject({ decision: { action: 'CONTINUE' } });
  });

  it('the load balancer unreadable for the whole watch after CONTINUE: instance set Unhealthy', async () => {
    const h = gateHarness(server.port);
    h.mocks.elb.on(DescribeInstanceHealthCommand).rejects(throttled());
    const out = await runToEnd(h);
    expect(out).toMatchObject({ decision: { action: 'CONTINUE' }, lb: { verdict: 'unhealthy' } });
    expect(out.outcome === 'decided' && out.lb?.detail).toMatch(/load balancer read failed/);
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(1);
  });
});
