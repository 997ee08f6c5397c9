import {
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeLifecycleHooksCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetInstanceHealthCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import {
  DescribeInstanceHealthCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompletionFailedError, MembershipUnverifiedError } from '../../../shared/launch/errors';
import { tokenHash } from '../../../shared/observability/token-hash';
import {
  createHarness,
  EVENT_TIME,
  type FakeInstance,
  GROUP,
  type HarnessOptions,
  HEALTH_TOKEN,
  HOOK,
  healthBody,
  INSTANCE,
  launchEvent,
  PEER,
  type RunOutcome,
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

function completions(h: ReturnType<typeof createHarness>) {
  return h.mocks.as.commandCalls(CompleteLifecycleActionCommand).map((c) => c.args[0].input);
}

function decided(outcome: RunOutcome) {
  if (outcome.outcome !== 'decided') throw new Error(`expected a decision, got ${JSON.stringify(outcome)}`);
  return outcome;
}

function metricNames(h: ReturnType<typeof createHarness>) {
  return h.metrics.points.map((p) => p.name);
}

describe('runStep: gating a launch', () => {
  it('continues after healthyThreshold passing probes, with the token header, then sees the LB agree', async () => {
    const h = createHarness(instance);
    const out = decided(await h.run(launchEvent()));

    expect(out.decision).toMatchObject({ action: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET' });
    expect(out.completion).toBe('completed');
    expect(out.lb?.verdict).toBe('healthy');
    expect(instance.requests).toHaveLength(3);
    for (const r of instance.requests) {
      expect(r.path).toBe('/health');
      expect(r.headers['x-health-token']).toBe(HEALTH_TOKEN);
    }
    expect(completions(h)).toEqual([
      {
        AutoScalingGroupName: GROUP,
        LifecycleHookName: HOOK,
        InstanceId: INSTANCE,
        LifecycleActionResult: 'CONTINUE',
      },
    ]);
    expect(h.mocks.elb.commandCalls(DescribeInstanceHealthCommand)[0]?.args[0].input).toEqual({
      LoadBalancerName: 'web-classic',
      Instances: [{ InstanceId: INSTANCE }],
    });
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
    // Probes at the policy's interval: three probes, two steps scheduled 2 s apart.
    expect(h.scheduled.filter((s) => s.step.phase === 'gate').map((s) => s.delaySeconds)).toEqual([2, 2]);

    const decisions = h.metrics.points.filter((p) => p.name === 'Decisions');
    expect(decisions).toEqual([
      {
        group: GROUP,
        name: 'Decisions',
        unit: 'Count',
        value: 1,
        extra: { Result: 'CONTINUE', Reason: 'HEALTHY_THRESHOLD_MET' },
      },
    ]);
    expect(metricNames(h).filter((n) => n === 'ProbeLatency')).toHaveLength(3);
    expect(metricNames(h)).toContain('ContinueDecisions');
    expect(h.metrics.points.find((p) => p.name === 'TimeToDecision')?.value).toBe(5);

    // Structured logs carry group, instance and the token's hash, never the token or the health token.
    const text = JSON.stringify(h.log.entries);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(HEALTH_TOKEN);
    const done = h.log.entries.find((e) => e.message === 'lifecycle action completed');
    expect(done?.fields).toMatchObject({
      group: GROUP,
      instanceId: INSTANCE,
      tokenHash: tokenHash(TOKEN),
      result: 'CONTINUE',
      reason: 'HEALTHY_THRESHOLD_MET',
    });
  });

  it('abandons after one probe when the instance reports a non-transient failure', async () => {
    instance.reply(() => ({
      status: 503,
      body: healthBody('fail', {
        failing: [{ name: 'migrations:pending', transient: false, componentType: 'datastore' }],
      }),
    }));
    const h = createHarness(instance);
    const out = decided(await h.run(launchEvent()));

    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE' });
    expect(out.decision.detail).toContain('migrations:pending');
    expect(instance.requests).toHaveLength(1);
    expect(completions(h)).toEqual([
      expect.objectContaining({ InstanceId: INSTANCE, LifecycleActionResult: 'ABANDON' }),
    ]);
    expect(h.metrics.points).toContainEqual(
      expect.objectContaining({ name: 'CheckFailures', extra: { Check: 'migrations:pending' } }),
    );
    expect(metricNames(h)).toContain('AbandonDecisions');
    // No LB watch after ABANDON.
    expect(h.mocks.elb.commandCalls(DescribeInstanceHealthCommand)).toHaveLength(0);
  });

  it('abandons at the deadline when the instance stays transiently unhealthy, never before', async () => {
    instance.reply(() => ({
      status: 503,
      body: healthBody('fail', { failing: [{ name: 'homepage:status' }] }),
    }));
    const h = createHarness(instance, {
      policy: {
        port: instance.port,
        probeCidrs: ['127.0.0.0/8'],
        intervalSeconds: 2,
        timeoutSeconds: 1,
        deadlineSeconds: 20,
      },
    });
    const out = decided(await h.run(launchEvent()));

    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' });
    expect(h.clock.now()).toBeGreaterThanOrEqual(EVENT_TIME + 20_000);
    expect(h.clock.now()).toBeLessThan(EVENT_TIME + 23_000);
    expect(completions(h)).toHaveLength(1);
  });

  it('never continues an instance whose address is answered by another instance', async () => {
    instance.reply(() => ({ status: 200, body: healthBody('pass', { instanceId: 'i-0aaaaaaaaaaaaaaaa' }) }));
    const h = createHarness(instance, {
      policy: {
        port: instance.port,
        probeCidrs: ['127.0.0.0/8'],
        intervalSeconds: 2,
        timeoutSeconds: 1,
        deadlineSeconds: 20,
      },
    });
    const out = decided(await h.run(launchEvent()));

    expect(out.decision.action).toBe('ABANDON');
    expect(instance.requests.length).toBeGreaterThan(3);
    expect(completions(h)).toEqual([expect.objectContaining({ LifecycleActionResult: 'ABANDON' })]);
  });

  it('heartbeats before the hook times out', async () => {
    instance.reply(() => ({
      status: 503,
      body: healthBody('fail', { failing: [{ name: 'homepage:status' }] }),
    }));
    const h = createHarness(instance, {
      heartbeatTimeout: 10,
      policy: {
        port: instance.port,
        probeCidrs: ['127.0.0.0/8'],
        intervalSeconds: 2,
        timeoutSeconds: 1,
        deadlineSeconds: 30,
      },
    });
    decided(await h.run(launchEvent()));

    const beats = h.mocks.as.commandCalls(RecordLifecycleActionHeartbeatCommand).map((c) => c.args[0].input);
    expect(beats.length).toBeGreaterThanOrEqual(5);
    expect(beats[0]).toEqual({
      AutoScalingGroupName: GROUP,
      LifecycleHookName: HOOK,
      InstanceId: INSTANCE,
    });
    expect(metricNames(h).filter((n) => n === 'Heartbeats')).toHaveLength(beats.length);
  });

  it('wakes for heartbeats between probes when the hook times out faster than a probe round', async () => {
    instance.reply(() => ({
      status: 503,
      body: healthBody('fail', { failing: [{ name: 'homepage:status' }] }),
    }));
    // A 6 s hook against 10 s probe intervals: waiting for the next probe alone would let the hook expire.
    const h = createHarness(instance, {
      heartbeatTimeout: 6,
      policy: {
        port: instance.port,
        probeCidrs: ['127.0.0.0/8'],
        intervalSeconds: 10,
        timeoutSeconds: 1,
        deadlineSeconds: 40,
      },
    });
    const beatTimes: number[] = [];
    h.mocks.as.on(RecordLifecycleActionHeartbeatCommand).callsFake(() => {
      beatTimes.push(h.clock.now());
      return {};
    });
    decided(await h.run(launchEvent()));

    const times = [EVENT_TIME, ...beatTimes];
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    expect(beatTimes.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...gaps)).toBeLessThan(6_000);
  });

  it('stops without completing when a heartbeat finds the action gone', async () => {
    instance.reply(() => ({
      status: 503,
      body: healthBody('fail', { failing: [{ name: 'homepage:status' }] }),
    }));
    const h = createHarness(instance, { heartbeatTimeout: 4 });
    h.mocks.as
      .on(RecordLifecycleActionHeartbeatCommand)
      .rejects(
        Object.assign(new Error('No active Lifecycle Action found with token'), { name: 'ValidationError' }),
      );
    const out = await h.run(launchEvent());

    expect(out).toEqual({ outcome: 'stopped', why: 'no active lifecycle action' });
    expect(completions(h)).toHaveLength(0);
    expect(metricNames(h)).toContain('AlreadyCompleted');
  });

  it.each(['terminated', 'shutting-down'] as const)(
    'an instance already %s (its group removed while it waited) is not judged: ABANDON sent, no decision',
    async (state) => {
      const h = createHarness(instance);
      h.mocks.ec2.on(DescribeInstancesCommand, { InstanceIds: [INSTANCE] }).resolves({
        Reservations: [
          {
            Instances: [
              {
                InstanceId: INSTANCE,
                ...(state === 'shutting-down' ? { PrivateIpAddress: '127.0.0.1' } : {}),
                State: { Name: state, Code: state === 'terminated' ? 48 : 32 },
                Tags: [{ Key: 'aws:autoscaling:groupName', Value: GROUP }],
              },
            ],
          },
        ],
      });
      h.mocks.as.on(CompleteLifecycleActionCommand).rejects(
        Object.assign(new Error('No active Lifecycle Action found with token'), {
          name: 'ValidationError',
        }),
      );
      const out = await h.run(launchEvent());

      expect(out).toEqual({
        outcome: 'stopped',
        why: `instance ${INSTANCE} is ${state}: its launch is over`,
      });
      expect(completions(h)).toEqual([expect.objectContaining({ LifecycleActionResult: 'ABANDON' })]);
      expect(instance.requests).toHaveLength(0);
      expect(metricNames(h)).not.toContain('Decisions');
      expect(metricNames(h)).toContain('AlreadyCompleted');
    },
  );
});

describe('runStep: policy merge and baseline', () => {
  it('is at least as strict as the load balancer: its higher healthy threshold applies when the policy sets none', async () => {
    const h = createHarness(instance, {
      policy: { port: instance.port, probeCidrs: ['127.0.0.0/8'], intervalSeconds: 2, timeoutSeconds: 1 },
    });
    h.mocks.elb.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancerDescriptions: [
        {
          LoadBalancerName: 'web-classic',
          HealthCheck: {
            Target: `HTTP:${instance.port}/health`,
            Interval: 30,
            Timeout: 5,
            HealthyThreshold: 5,
            UnhealthyThreshold: 2,
          },
        },
      ],
    });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision.reason).toBe('HEALTHY_THRESHOLD_MET');
    expect(instance.requests).toHaveLength(5);
    expect(h.mocks.elb.commandCalls(DescribeLoadBalancersCommand)[0]?.args[0].input).toEqual({
      LoadBalancerNames: ['web-classic'],
    });
  });

  it('probes in-service peers when the canary fails only shared checks, and reports a shared outage', async () => {
    const failing = (instanceId: string) => ({
      status: 503,
      body: healthBody('fail', {
        instanceId,
        failing: [{ name: 'database:responseTime', componentType: 'datastore' }],
      }),
    });
    instance.reply(() => failing(INSTANCE));
    const peer = await startInstance('127.0.0.2', instance.port);
    peer.reply(() => failing(PEER));
    try {
      const h = createHarness(instance, {
        inService: [{ instanceId: PEER, privateIp: '127.0.0.2' }],
        policy: {
          port: instance.port,
          probeCidrs: ['127.0.0.0/8'],
          intervalSeconds: 2,
          timeoutSeconds: 1,
          onSharedOutage: 'abandon',
        },
      });
      const out = decided(await h.run(launchEvent()));
      expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'SHARED_OUTAGE' });
      expect(peer.requests).toHaveLength(1);
      expect(peer.requests[0]?.headers['x-health-token']).toBe(HEALTH_TOKEN);
      expect(instance.requests).toHaveLength(1);
    } finally {
      await peer.close();
    }
  });
});

describe('runStep: the baseline group of a blue/green deploy', () => {
  const OLD_GROUP = 'web-green';
  const TAG = { 'healthgate:baseline-group': OLD_GROUP };
  const dbFailing = (instanceId: string) => ({
    status: 503,
    body: healthBody('fail', {
      instanceId,
      failing: [{ name: 'database:responseTime', componentType: 'datastore' }],
    }),
  });
  const policy = (over: Record<string, unknown> = {}) => ({
    port: instance.port,
    probeCidrs: ['127.0.0.0/8'],
    intervalSeconds: 2,
    timeoutSeconds: 1,
    healthyThreshold: 3,
    deadlineSeconds: 10,
    ...over,
  });
  /** In-service instances of the old group: ids and loopback addresses 127.0.0.2, .3, … */
  const olds = (n: number) =>
    Array.from({ length: n }, (_, k) => ({
      instanceId: `i-0a1b2c3d4e5f6a7b${k}`,
      privateIp: `127.0.0.${k + 2}`,
    }));
  let servers: FakeInstance[] = [];
  async function serveOlds(n: number, reply: (id: string) => ReturnType<typeof dbFailing>) {
    servers = await Promise.all(olds(n).map((o) => startInstance(o.privateIp, instance.port)));
    servers.forEach((server, k) => {
      server.reply(() => reply(olds(n)[k]!.instanceId));
    });
    return servers;
  }
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
  });
  const describedGroups = (h: ReturnType<typeof createHarness>) =>
    h.mocks.as
      .commandCalls(DescribeAutoScalingGroupsCommand)
      .map((c) => c.args[0].input.AutoScalingGroupNames?.[0]);

  it('takes the baseline from the group its tag names when its own has none in service, and names it', async () => {
    instance.reply(() => dbFailing(INSTANCE));
    const old = await serveOlds(2, dbFailing);
    const h = createHarness(instance, {
      groupTags: TAG,
      otherGroup: { name: OLD_GROUP, inService: olds(2) },
      policy: policy({ onSharedOutage: 'abandon' }),
    });
    const out = decided(await h.run(launchEvent()));

    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'SHARED_OUTAGE' });
    expect(out.decision.detail).toMatch(
      /on 2\/2 in-service instances of web-green; onSharedOutage is 'abandon'$/,
    );
    expect(describedGroups(h)).toContain(OLD_GROUP);
    for (const server of old) {
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.path).toBe('/health');
      expect(server.requests[0]?.headers['x-health-token']).toBe(HEALTH_TOKEN);
    }
    const taken = h.log.entries.find((e) => e.message === 'baseline taken');
    expect(taken?.fields).toMatchObject({ group: GROUP, baselineGroup: OLD_GROUP });
  });

  it('probes at most three instances of the baseline group', async () => {
    instance.reply(() => dbFailing(INSTANCE));
    const old = await serveOlds(5, dbFailing);
    const h = createHarness(instance, {
      groupTags: TAG,
      otherGroup: { name: OLD_GROUP, inService: olds(5) },
      policy: policy({ onSharedOutage: 'abandon' }),
    });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'SHARED_OUTAGE' });
    expect(old.map((server) => server.requests.length)).toEqual([1, 1, 1, 0, 0]);
  });

  it('never continues on a baseline: with the default onSharedOutage it waits the outage out and names it', async () => {
    instance.reply(() => dbFailing(INSTANCE));
    const old = await serveOlds(2, dbFailing);
    const h = createHarness(instance, {
      groupTags: TAG,
      otherGroup: { name: OLD_GROUP, inService: olds(2) },
      policy: policy(),
    });
    const out = decided(await h.run(launchEvent()));

    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' });
    expect(out.decision.detail).toMatch(/during a shared outage: .* in-service instances of web-green$/);
    expect(completions(h)).toEqual([expect.objectContaining({ LifecycleActionResult: 'ABANDON' })]);
    // Waited the whole deadline, the baseline taken again once stale (interval × healthyThreshold = 6 s).
    expect(instance.requests.length).toBeGreaterThanOrEqual(4);
    expect(old[0]!.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('never continues on a healthy baseline either: the canary is judged alone', async () => {
    instance.reply(() => dbFailing(INSTANCE));
    await serveOlds(2, (id) => ({ status: 200, body: healthBody('pass', { instanceId: id }) }));
    const h = createHarness(instance, {
      groupTags: TAG,
      otherGroup: { name: OLD_GROUP, inService: olds(2) },
      policy: policy({ onSharedOutage: 'abandon' }),
    });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' });
    expect(out.decision.detail).not.toContain('shared outage');
  });

  it('guards baseline instances like the canary: one outside probeCidrs gets no request', async () => {
    instance.reply(() => dbFailing(INSTANCE));
    const [near] = await serveOlds(1, dbFailing);
    const far = { instanceId: 'i-0a1b2c3d4e5f6a7b9', privateIp: '10.20.30.40' };
    const h = createHarness(instance, {
      groupTags: TAG,
      otherGroup: { name: OLD_GROUP, inService: [far, ...olds(1)] },
      policy: policy({ onSharedOutage: 'abandon' }),
    });
    const outcomes: { address: string; outcome: string; error?: string }[] = [];
    const guarded = h.deps.probe;
    h.deps.probe = async (options) => {
      const result = await guarded(options);
      outcomes.push({ address: options.address, outcome: result.outcome, error: result.error });
      return result;
    };
    const out = decided(await h.run(launchEvent()));

    const farProbe = h.probes.find((p) => p.address === far.privateIp);
    expect(farProbe?.allowedCidrs).toEqual(['127.0.0.0/8']);
    expect(farProbe?.headers).toEqual({ 'x-health-token': HEALTH_TOKEN });
    expect(outcomes.find((o) => o.address === far.privateIp)).toMatchObject({
      outcome: 'error',
      error: expect.stringContaining('outside the allowed CIDRs'),
    });
    expect(near!.requests).toHaveLength(1);
    // One of two in-service instances failing the same check is half: a shared outage.
    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'SHARED_OUTAGE' });
  });

  it('ignores the tag while its own group has an in-service instance', async () => {
    instance.reply(() => dbFailing(INSTANCE));
    const old = await serveOlds(2, dbFailing);
    const peer = await startInstance('127.0.0.9', instance.port);
    peer.reply(() => dbFailing(PEER));
    try {
      const h = createHarness(instance, {
        groupTags: TAG,
        inService: [{ instanceId: PEER, privateIp: '127.0.0.9' }],
        otherGroup: { name: OLD_GROUP, inService: olds(2) },
        policy: policy({ onSharedOutage: 'abandon' }),
      });
      const out = decided(await h.run(launchEvent()));
      expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'SHARED_OUTAGE' });
      expect(out.decision.detail).not.toContain(OLD_GROUP);
      expect(peer.requests).toHaveLength(1);
      expect(old.map((server) => server.requests.length)).toEqual([0, 0]);
      expect(describedGroups(h)).not.toContain(OLD_GROUP);
    } finally {
      await peer.close();
    }
  });

  it('a tag naming a group that does not exist leaves the canary judged alone', async () => {
    instance.reply(() => dbFailing(INSTANCE));
    const h = createHarness(instance, {
      groupTags: { 'healthgate:baseline-group': 'web-gone' },
      policy: policy({ onSharedOutage: 'abandon' }),
    });
    h.mocks.as
      .on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['web-gone'] })
      .resolves({ AutoScalingGroups: [] });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' });
    expect(describedGroups(h)).toContain('web-gone');
    expect(h.log.entries.map((e) => e.message)).toContain(
      'baseline group not found: no in-service instance to compare with',
    );
  });
});

describe('runStep: decided before probing', () => {
  it('ignores a test notification without any call', async () => {
    const h = createHarness(instance);
    const out = await h.run({
      source: 'aws.autoscaling',
      detail: { Event: 'autoscaling:TEST_NOTIFICATION', AutoScalingGroupName: GROUP },
    });
    expect(out).toMatchObject({ outcome: 'ignored' });
    expect(h.mocks.as.calls()).toHaveLength(0);
    expect(instance.requests).toHaveLength(0);
  });

  it('ignores other transitions', async () => {
    const h = createHarness(instance);
    const out = await h.run(
      launchEvent(
        { LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' },
        { 'detail-type': 'EC2 Instance-terminate Lifecycle Action' },
      ),
    );
    expect(out).toMatchObject({ outcome: 'ignored' });
    expect(h.mocks.as.calls()).toHaveLength(0);
  });

  it('continues a warm-pool launch without probing once Auto Scaling reports it warmed', async () => {
    const h = createHarness(instance, {
      asInstance: { groupName: GROUP, lifecycleState: 'Warmed:Pending:Wait' },
    });
    const out = decided(await h.run(launchEvent({ Destination: 'WarmPool' })));
    expect(out.decision).toMatchObject({ action: 'CONTINUE', reason: 'WARM_POOL' });
    expect(out.decision.detail).toContain('Warmed:Pending:Wait');
    expect(instance.requests).toHaveLength(0);
    expect(h.probes).toHaveLength(0);
    expect(h.mocks.as.commandCalls(DescribeAutoScalingInstancesCommand)[0]?.args[0].input).toEqual({
      InstanceIds: [INSTANCE],
    });
    expect(completions(h)).toEqual([
      expect.objectContaining({ LifecycleActionResult: 'CONTINUE', InstanceId: INSTANCE }),
    ]);
    expect(h.mocks.elb.calls()).toHaveLength(0);
  });

  // The event's Destination is only a claim: anything but a warmed instance of this group is gated (probed).
  const unconfirmed: [string, HarnessOptions['asInstance'] | 'error'][] = [
    ['in service', { groupName: GROUP, lifecycleState: 'Pending:Wait' }],
    ['warmed in another group', { groupName: 'web-green', lifecycleState: 'Warmed:Pending:Wait' }],
    ['leaving the warm pool by termination', { groupName: GROUP, lifecycleState: 'Warmed:Terminating:Wait' }],
    ['not listed', 'absent'],
    ['unreadable', 'error'],
  ];
  for (const [name, asInstance] of unconfirmed) {
    it(`gates a warm-pool launch Auto Scaling does not confirm (${name})`, async () => {
      const h = createHarness(instance, asInstance === 'error' ? {} : { asInstance });
      if (asInstance === 'error') {
        h.mocks.as
          .on(DescribeAutoScalingInstancesCommand)
          .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
      }
      instance.reply(() => ({
        status: 503,
        body: healthBody('fail', { failing: [{ name: 'x', transient: false }] }),
      }));
      const out = decided(await h.run(launchEvent({ Destination: 'WarmPool' })));
      expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE' });
      expect(h.probes).toHaveLength(1);
      expect(h.log.entries.some((e) => e.message.includes('warm-pool launch not confirmed'))).toBe(true);
    });
  }

  it('logs and counts a malformed event, never throws, and completes nothing it cannot identify', async () => {
    const h = createHarness(instance);
    const out = await h.run(launchEvent({ EC2InstanceId: 'web-1', LifecycleActionToken: 'x' }));
    expect(out).toMatchObject({ outcome: 'invalid' });
    if (out.outcome === 'invalid') expect(out.errors.join()).toContain('detail.EC2InstanceId');
    expect(h.mocks.as.calls()).toHaveLength(0);
    expect(metricNames(h)).toEqual(['InvalidEvents']);
    expect(h.log.entries.find((e) => e.level === 'error')?.message).toContain('malformed event');

    for (const raw of [null, 'x', 42, {}]) {
      await expect(h.run(raw)).resolves.toMatchObject({ outcome: 'invalid' });
    }
  });

  it('abandons a malformed instance id by its token alone (group, hook and token are valid)', async () => {
    const h = createHarness(instance);
    const out = await h.run(launchEvent({ EC2InstanceId: 'web-1' }));
    expect(out).toMatchObject({ outcome: 'invalid', completion: 'completed' });
    const sent = completions(h);
    expect(sent).toEqual([
      {
        AutoScalingGroupName: GROUP,
        LifecycleHookName: HOOK,
        LifecycleActionToken: TOKEN,
        LifecycleActionResult: 'ABANDON',
      },
    ]);
    expect(h.probes).toHaveLength(0);
  });

  it('abandons a malformed launch event whose action is still identifiable (fail closed)', async () => {
    const h = createHarness(instance);
    const out = await h.run(launchEvent({}, { time: 'yesterday' }));
    expect(out).toMatchObject({ outcome: 'invalid', completion: 'completed' });
    expect(completions(h)).toEqual([
      expect.objectContaining({ LifecycleActionResult: 'ABANDON', InstanceId: INSTANCE }),
    ]);
    expect(h.probes).toHaveLength(0);
  });

  it('abandons POLICY_INVALID when the stored policy is invalid, without probing', async () => {
    const h = createHarness(instance, { policy: { intervalSecs: 5 } });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'POLICY_INVALID' });
    expect(out.decision.detail).toContain('intervalSecs');
    expect(h.probes).toHaveLength(0);
    expect(completions(h)).toEqual([expect.objectContaining({ LifecycleActionResult: 'ABANDON' })]);
  });

  it('abandons POLICY_INVALID for a policy that is not JSON', async () => {
    const h = createHarness(instance, { policy: '{port: 80' });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision.reason).toBe('POLICY_INVALID');
  });

  it('abandons INSTANCE_NOT_IN_GROUP for an instance tagged with another group', async () => {
    const h = createHarness(instance, { groupTag: 'web-green' });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'INSTANCE_NOT_IN_GROUP' });
    expect(out.decision.detail).toContain('web-green');
    expect(h.probes).toHaveLength(0);
    expect(instance.requests).toHaveLength(0);
  });

  it('abandons ADDRESS_NOT_ALLOWED for an address outside probeCidrs; no request is made', async () => {
    const h = createHarness(instance, { privateIp: '10.0.1.15' });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'ADDRESS_NOT_ALLOWED' });
    expect(out.decision.detail).toContain('10.0.1.15');
    expect(h.probes).toHaveLength(0);
    expect(instance.requests).toHaveLength(0);
  });

  it('abandons ADDRESS_NOT_ALLOWED for the metadata address even when the policy allows it', async () => {
    const h = createHarness(instance, {
      privateIp: '169.254.169.254',
      policy: { port: instance.port, probeCidrs: ['0.0.0.0/0'] },
    });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision.reason).toBe('ADDRESS_NOT_ALLOWED');
    expect(h.probes).toHaveLength(0);
  });
});

describe('runStep: completion and errors', () => {
  it('logs and counts an already-completed action, sends it once, and skips the LB watch', async () => {
    const h = createHarness(instance);
    h.mocks.as.on(CompleteLifecycleActionCommand).rejects(
      Object.assign(new Error('No active Lifecycle Action found with instance ID i-0123456789abcdef0'), {
        name: 'ValidationError',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const out = decided(await h.run(launchEvent()));
    expect(out.completion).toBe('already-completed');
    expect(completions(h)).toHaveLength(1);
    expect(metricNames(h)).toContain('AlreadyCompleted');
    expect(metricNames(h)).not.toContain('Decisions');
    expect(h.mocks.elb.commandCalls(DescribeInstanceHealthCommand)).toHaveLength(0);
  });

  it('abandons INTERNAL_ERROR at once on an AWS error that waiting cannot heal (access denied)', async () => {
    const h = createHarness(instance);
    h.mocks.as.on(DescribeLifecycleHooksCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: autoscaling:DescribeLifecycleHooks'), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const start = h.clock.now();
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'INTERNAL_ERROR' });
    expect(out.decision.detail).toContain('DescribeLifecycleHooks');
    expect(out.decision.detail).toContain('AccessDenied');
    expect(h.clock.now()).toBe(start);
    expect(h.mocks.as.commandCalls(DescribeLifecycleHooksCommand)).toHaveLength(1);
    expect(completions(h)).toEqual([
      expect.objectContaining({ LifecycleActionResult: 'ABANDON', InstanceId: INSTANCE }),
    ]);
  });

  // After the SDK's own retries: the gate waits a probe interval and reads again instead of abandoning.
  const transient: [string, Error][] = [
    [
      'throttling',
      Object.assign(new Error('Rate exceeded'), {
        name: 'Throttling',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    ],
    [
      'a 503',
      Object.assign(new Error('Service unavailable'), {
        name: 'ServiceUnavailable',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
      }),
    ],
    [
      'a request timeout',
      Object.assign(new Error('request exceeded 5000 ms'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
    ],
  ];
  for (const [name, error] of transient) {
    it(`waits through ${name} on a Describe call and continues a healthy instance`, async () => {
      const h = createHarness(instance);
      h.mocks.as
        .on(DescribeLifecycleHooksCommand)
        .rejectsOnce(error)
        .rejectsOnce(error)
        .resolves({
          LifecycleHooks: [{ LifecycleHookName: HOOK, AutoScalingGroupName: GROUP, HeartbeatTimeout: 300 }],
        });
      const start = h.clock.now();
      const probeTimes: number[] = [];
      const probe = h.deps.probe;
      h.deps.probe = (o) => {
        probeTimes.push(h.clock.now());
        return probe(o);
      };
      const out = decided(await h.run(launchEvent()));
      expect(out.decision).toMatchObject({ action: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET' });
      expect(h.mocks.as.commandCalls(DescribeLifecycleHooksCommand)).toHaveLength(3);
      // Two failed rounds, one probe interval (2 s) apart, before the first probe; then three probes.
      expect(instance.requests).toHaveLength(3);
      expect(probeTimes[0]! - start).toBe(2 * 2_000);
      expect(h.log.entries.filter((e) => e.message.includes('failed transiently'))).toHaveLength(2);
    });
  }

  for (const [command, mock] of [
    [
      'DescribeAutoScalingGroups',
      (h: ReturnType<typeof createHarness>, e: Error) =>
        h.mocks.as.on(DescribeAutoScalingGroupsCommand).rejects(e),
    ],
    [
      'DescribeInstances',
      (h: ReturnType<typeof createHarness>, e: Error) => h.mocks.ec2.on(DescribeInstancesCommand).rejects(e),
    ],
    [
      'DescribeLoadBalancers',
      (h: ReturnType<typeof createHarness>, e: Error) =>
        h.mocks.elb.on(DescribeLoadBalancersCommand).rejects(e),
    ],
  ] as const) {
    it(`abandons at the deadline, naming the AWS error, when ${command} stays throttled (never CONTINUE)`, async () => {
      const h = createHarness(instance);
      mock(h, transient[0]![1]);
      const out = decided(await h.run(launchEvent()));
      expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' });
      expect(out.decision.detail).toMatch(
        new RegExp(`last AWS error: .*${command} failed: Throttling: Rate exceeded`),
      );
      expect(h.probes).toHaveLength(0);
      expect(completions(h)).toEqual([expect.objectContaining({ LifecycleActionResult: 'ABANDON' })]);
      // The policy's 60 s deadline from the event's time, one attempt per 2 s interval.
      expect(h.clock.now()).toBe(EVENT_TIME + 60_000);
    });
  }

  it('schedules the next step while AWS is throttled, and a later step prepares again and continues', async () => {
    const throttled = transient[0]![1];
    const h = createHarness(instance);
    let calls = 0;
    h.mocks.ec2.on(DescribeInstancesCommand).callsFake(() => {
      calls += 1;
      if (calls === 1) throw throttled;
      return {
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
      };
    });
    const first = await h.step(launchEvent());
    expect(first).toEqual({ outcome: 'scheduled', phase: 'gate', delaySeconds: 2 });
    expect(h.probes).toHaveLength(0);
    expect(h.scheduled[0]?.step).toMatchObject({
      phase: 'gate',
      pending: expect.stringContaining('Rate exceeded'),
    });
    expect(h.scheduled[0]?.step).not.toHaveProperty('target');
    h.clock.advance(2_000);
    const out = decided(await h.run(h.scheduled[0]!.step));
    expect(out.decision).toMatchObject({ action: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET' });
  });

  it('a throttled heartbeat is retried at the next round, not abandoned', async () => {
    const throttled = transient[0]![1];
    const h = createHarness(instance, { heartbeatTimeout: 30 });
    instance.reply((n) =>
      n < 10
        ? { status: 503, body: healthBody('fail', { failing: [{ name: 'db' }] }) }
        : { status: 200, body: healthBody('pass') },
    );
    h.mocks.as.on(RecordLifecycleActionHeartbeatCommand).rejectsOnce(throttled).resolves({});
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET' });
    expect(h.mocks.as.commandCalls(RecordLifecycleActionHeartbeatCommand).length).toBeGreaterThanOrEqual(2);
  });

  it('abandons INTERNAL_ERROR when the configured health token does not exist', async () => {
    const h = createHarness(instance);
    h.mocks.ssm
      .on(GetParameterCommand, { Name: '/healthgate/health-token' })
      .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'ABANDON', reason: 'INTERNAL_ERROR' });
    expect(out.decision.detail).toContain('/healthgate/health-token');
    expect(h.probes).toHaveLength(0);
  });

  it('logs the decision and rethrows when completing fails', async () => {
    const h = createHarness(instance);
    h.mocks.as
      .on(CompleteLifecycleActionCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }),
      );
    await expect(h.run(launchEvent())).rejects.toBeInstanceOf(CompletionFailedError);
    expect(completions(h)).toHaveLength(1);
    const line = h.log.entries.find((e) => e.level === 'error');
    expect(line?.fields).toMatchObject({ result: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET' });
  });
});

describe('runStep: one step per invocation', () => {
  it('probes once per step, schedules the next with the sealed state, and a later step decides', async () => {
    const h = createHarness(instance);
    const first = await h.step(launchEvent());
    expect(first).toEqual({ outcome: 'scheduled', phase: 'gate', delaySeconds: 2 });
    expect(completions(h)).toHaveLength(0);
    expect(instance.requests).toHaveLength(1);
    const { step, delaySeconds } = h.scheduled[0]!;
    expect(delaySeconds).toBe(2);
    expect(step).toMatchObject({
      healthgate: 'step',
      v: 1,
      phase: 'gate',
      action: { group: GROUP, hook: HOOK, token: TOKEN, instanceId: INSTANCE },
      state: { instanceId: INSTANCE, startedAt: EVENT_TIME, handovers: 1, probes: 1 },
      target: { address: '127.0.0.1', heartbeatTimeoutSeconds: 300 },
      seal: { kid: expect.any(String), mac: expect.any(String) },
    });
    expect(metricNames(h)).toContain('Continuations');

    // Each later step makes no reads but the probe; the third probe decides.
    h.mocks.as.resetHistory();
    h.mocks.ec2.resetHistory();
    h.clock.advance(2_000);
    expect(await h.step(step)).toMatchObject({ outcome: 'scheduled', phase: 'gate' });
    expect(h.mocks.as.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(0);
    expect(h.mocks.ec2.calls()).toHaveLength(0);
    h.clock.advance(2_000);
    const out = decided(await h.step(h.scheduled[1]!.step));
    expect(out.decision).toMatchObject({ action: 'CONTINUE', reason: 'HEALTHY_THRESHOLD_MET' });
    expect(out.watch).toBe('scheduled');
    expect(instance.requests.length).toBe(3);
    expect(completions(h)).toEqual([
      expect.objectContaining({ InstanceId: INSTANCE, LifecycleActionResult: 'CONTINUE' }),
    ]);
    expect(h.scheduled[2]?.step).toMatchObject({ phase: 'lb-verify', verify: { reads: 0 } });
  });

  it('probes once per step even at sub-second intervals: the next step is queued at once and waits for its probe', async () => {
    const h = createHarness(instance, {
      policy: { port: instance.port, probeCidrs: ['127.0.0.0/8'], intervalSeconds: 0.2, timeoutSeconds: 0.1 },
    });
    const sleeps: number[] = [];
    const sleep = h.deps.sleep;
    h.deps.sleep = async (ms) => {
      sleeps.push(ms);
      await sleep(ms);
    };
    const out = decided(await h.run(launchEvent()));
    expect(out.decision).toMatchObject({ action: 'CONTINUE' });
    const gateSteps = h.scheduled.filter((s) => s.step.phase === 'gate');
    expect(gateSteps.map((s) => s.delaySeconds)).toEqual([0, 0]);
    expect(instance.requests).toHaveLength(3);
    // Each queued step arrived early (no delay) and waited the interval for its probe.
    expect(sleeps).toEqual([200, 200]);
  });

  it('rejects a malformed continuation and abandons its action (the state is lost)', async () => {
    const h = createHarness(instance);
    const out = await h.run({
      healthgate: 'step',
      v: 1,
      phase: 'gate',
      action: { group: GROUP, hook: HOOK, token: TOKEN, instanceId: INSTANCE },
      state: { v: 9 },
    });
    expect(out).toMatchObject({ outcome: 'invalid', completion: 'completed' });
    expect(completions(h)).toEqual([expect.objectContaining({ LifecycleActionResult: 'ABANDON' })]);
  });

  it('rejects a continuation that names no usable action without any call', async () => {
    const h = createHarness(instance);
    const out = await h.run({ healthgate: 'step', phase: 'gate' });
    expect(out).toMatchObject({ outcome: 'invalid' });
    expect(h.mocks.as.calls()).toHaveLength(0);
  });
});

describe('runStep: the load balancer after CONTINUE', () => {
  it('sets the instance Unhealthy when the classic LB says it failed', async () => {
    const h = createHarness(instance);
    h.mocks.elb.on(DescribeInstanceHealthCommand).resolves({
      InstanceStates: [
        {
          InstanceId: INSTANCE,
          State: 'OutOfService',
          ReasonCode: 'Instance',
          Description:
            'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.',
        },
      ],
    });
    const out = decided(await h.run(launchEvent()));
    expect(out.decision.action).toBe('CONTINUE');
    expect(out.lb?.verdict).toBe('unhealthy');
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceId: INSTANCE, HealthStatus: 'Unhealthy', ShouldRespectGracePeriod: false },
    ]);
    expect(metricNames(h)).toContain('LbDisagreements');
    expect(h.log.entries.find((e) => e.fields.reason === 'LB_UNHEALTHY')?.level).toBe('error');
  });

  it('waits through registration, and sets Unhealthy when the target group never says healthy in time', async () => {
    const h = createHarness(instance, {
      loadBalancerNames: [],
      targetGroupArns: ['arn:aws:elasticloadbalancing:tg/web'],
    });
    h.mocks.elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: INSTANCE }, TargetHealth: { State: 'initial', Reason: 'Elb.InitialHealthChecking' } },
      ],
    });
    const out = decided(await h.run(launchEvent()));
    expect(out.lb?.verdict).toBe('unhealthy');
    expect(out.lb?.detail).toContain('not healthy within 20 s');
    expect(h.mocks.elbv2.commandCalls(DescribeTargetHealthCommand).length).toBeGreaterThan(5);
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(1);
  });

  const failedClassic = {
    InstanceStates: [
      {
        InstanceId: INSTANCE,
        State: 'OutOfService' as const,
        ReasonCode: 'Instance',
        Description:
          'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.',
      },
    ],
  };
  const lbVerifyPayload = (h: ReturnType<typeof createHarness>, group = GROUP) => ({
    healthgate: 'step',
    v: 1,
    phase: 'lb-verify',
    action: { group, hook: HOOK, token: TOKEN, instanceId: INSTANCE },
    verify: {
      eventTime: EVENT_TIME,
      continuedAt: h.clock.now() - 30_000,
      until: h.clock.now() - 1,
      intervalMs: 2_000,
      reads: 1,
    },
  });

  it('an lb-verify continuation for an instance of another group marks nothing Unhealthy', async () => {
    // The payload names group web-blue, but Auto Scaling lists the instance in web-green.
    const h = createHarness(instance, {
      asInstance: { groupName: 'web-green', lifecycleState: 'InService' },
    });
    h.mocks.elb.on(DescribeInstanceHealthCommand).resolves(failedClassic);
    const out = await h.run(lbVerifyPayload(h));
    expect(out).toMatchObject({ outcome: 'stopped' });
    expect(out.outcome === 'stopped' && out.why).toContain('belongs to web-green');
    expect(h.mocks.as.commandCalls(DescribeAutoScalingInstancesCommand)[0]?.args[0].input).toEqual({
      InstanceIds: [INSTANCE],
    });
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
    expect(metricNames(h)).not.toContain('LbDisagreements');
  });

  it('an lb-verify continuation for an instance no longer in any group marks nothing', async () => {
    const h = createHarness(instance, { asInstance: 'absent' });
    h.mocks.elb.on(DescribeInstanceHealthCommand).resolves(failedClassic);
    const out = await h.run(lbVerifyPayload(h));
    expect(out).toMatchObject({ outcome: 'stopped' });
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
  });

  it('an lb-verify continuation for a member of the group still marks it Unhealthy', async () => {
    const h = createHarness(instance, { asInstance: { groupName: GROUP, lifecycleState: 'InService' } });
    h.mocks.elb.on(DescribeInstanceHealthCommand).resolves(failedClassic);
    const out = await h.run(lbVerifyPayload(h));
    expect(out).toMatchObject({ outcome: 'lb-verified', verdict: 'unhealthy' });
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(1);
  });

  it('membership unreadable: nothing marked, the verdict logged and thrown for Lambda to retry', async () => {
    const h = createHarness(instance);
    h.mocks.elb.on(DescribeInstanceHealthCommand).resolves(failedClassic);
    h.mocks.as
      .on(DescribeAutoScalingInstancesCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    await expect(h.run(lbVerifyPayload(h))).rejects.toBeInstanceOf(MembershipUnverifiedError);
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
    expect(h.log.entries.find((e) => e.level === 'error')?.fields).toMatchObject({ reason: 'LB_UNHEALTHY' });
  });

  it('a load balancer read that waiting cannot heal ends the watch at once: Unhealthy', async () => {
    const h = createHarness(instance);
    h.mocks.elb
      .on(DescribeInstanceHealthCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied', $fault: 'client' }));
    const out = decided(await h.run(launchEvent()));
    expect(out.lb).toMatchObject({ verdict: 'unhealthy' });
    expect(out.lb?.detail).toContain('not transient');
    expect(h.mocks.elb.commandCalls(DescribeInstanceHealthCommand)).toHaveLength(1);
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(1);
  });

  it('accepts the target group turning healthy after its initial checks', async () => {
    const h = createHarness(instance, {
      loadBalancerNames: [],
      targetGroupArns: ['arn:aws:elasticloadbalancing:tg/web'],
    });
    h.mocks.elbv2
      .on(DescribeTargetHealthCommand)
      .resolvesOnce({
        TargetHealthDescriptions: [{ Target: { Id: INSTANCE }, TargetHealth: { State: 'initial' } }],
      })
      .resolves({
        TargetHealthDescriptions: [{ Target: { Id: INSTANCE }, TargetHealth: { State: 'healthy' } }],
      });
    const out = decided(await h.run(launchEvent()));
    expect(out.lb?.verdict).toBe('healthy');
    expect(h.mocks.elbv2.commandCalls(DescribeTargetHealthCommand)[0]?.args[0].input).toEqual({
      TargetGroupArn: 'arn:aws:elasticloadbalancing:tg/web',
      Targets: [{ Id: INSTANCE }],
    });
    expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
  });

  it('reads the load balancers once per step until they decide', async () => {
    const h = createHarness(instance);
    h.mocks.elb
      .on(DescribeInstanceHealthCommand)
      .resolvesOnce({
        InstanceStates: [
          {
            InstanceId: INSTANCE,
            State: 'OutOfService',
            ReasonCode: 'ELB',
            Description: 'Instance registration is still in progress.',
          },
        ],
      })
      .resolves({ InstanceStates: [{ InstanceId: INSTANCE, State: 'InService' }] });
    const out = decided(await h.run(launchEvent()));
    expect(out.lb?.verdict).toBe('healthy');
    const watch = h.scheduled.filter((s) => s.step.phase === 'lb-verify');
    // The classic LB checks every 30 s and needs 2 passes: the first read waits, but no longer than half the
    // 20 s watch; then one read per interval.
    expect(watch.map((s) => s.delaySeconds)).toEqual([10, 2]);
    expect(h.mocks.elb.commandCalls(DescribeInstanceHealthCommand)).toHaveLength(2);
    // The attached load balancers travel with the sealed step: the watch reads no group.
    expect(watch[0]?.step).toMatchObject({ verify: { attached: { loadBalancerNames: ['web-classic'] } } });
  });
});
