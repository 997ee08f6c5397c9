import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRollbackCheckHandler, handler } from '../../../functions/rollback-check';
import { createLogger, memoryRecorder } from '../../../shared/observability';
import { RollbackInputError, type RollbackReport } from '../../../shared/rollback';
import { type Fleet, startFleet } from './fleet';

// Before the handler module loads (and builds its logger): quiet logs and EMF; metrics are asserted in memory.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

const asMock = mockClient(AutoScalingClient);
const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const mocks = [
  asMock,
  ec2Mock,
  mockClient(ElasticLoadBalancingClient),
  mockClient(ElasticLoadBalancingV2Client),
  ssmMock,
] as const;

function context(remainingMs = 30_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'healthgate-test-rollbackCheck',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:healthgate-test-rollbackCheck',
    memoryLimitInMB: '256',
    awsRequestId: 'req-1',
    logGroupName: '/aws/lambda/healthgate-test-rollbackCheck',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

beforeEach(() => {
  for (const m of mocks) m.reset();
});

describe('rollback-check handler: input validation', () => {
  const table: { name: string; event: unknown; field: string; message: RegExp }[] = [
    // middy hands an absent payload over as {} (as does an AWS CLI invoke without --payload).
    { name: 'no payload', event: undefined, field: 'autoScalingGroupName', message: /is required/ },
    { name: 'null', event: null, field: '(input)', message: /expected an object/ },
    { name: 'a bare string', event: 'web-green', field: '(input)', message: /expected an object/ },
    { name: 'an array', event: ['web-green'], field: '(input)', message: /expected an object/ },
    { name: 'missing name', event: {}, field: 'autoScalingGroupName', message: /is required/ },
    {
      name: 'wrong type',
      event: { autoScalingGroupName: 42 },
      field: 'autoScalingGroupName',
      message: /must be a string/,
    },
    {
      name: 'blank name',
      event: { autoScalingGroupName: '   ' },
      field: 'autoScalingGroupName',
      message: /must not be empty/,
    },
    {
      name: 'too long',
      event: { autoScalingGroupName: 'x'.repeat(256) },
      field: 'autoScalingGroupName',
      message: /at most 255/,
    },
    {
      name: 'control characters',
      event: { autoScalingGroupName: 'web\ngreen' },
      field: 'autoScalingGroupName',
      message: /control characters/,
    },
    { name: 'misspelt field', event: { asg: 'web-green' }, field: 'asg', message: /unknown field/ },
    {
      name: 'extra field',
      event: { autoScalingGroupName: 'web-green', url: 'http://169.254.169.254/' },
      field: 'url',
      message: /unknown field/,
    },
  ];

  for (const row of table) {
    it(`refuses ${row.name}, naming ${row.field}, with no AWS call`, async () => {
      const error = await handler(row.event, context()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RollbackInputError);
      expect((error as RollbackInputError).field).toBe(row.field);
      expect((error as Error).message).toMatch(row.message);
      if (row.field !== '(input)') expect((error as Error).message).toContain(`${row.field}: `);
      for (const m of mocks) expect(m.calls()).toHaveLength(0);
    });
  }

  it('never calls the check (hence never probes) for a bad payload', async () => {
    const check = vi.fn();
    const inner = createRollbackCheckHandler({ check, logger: createLogger(), recorder: memoryRecorder() });
    await expect(inner({ autoScalingGroupName: '' }, context())).rejects.toBeInstanceOf(RollbackInputError);
    expect(check).not.toHaveBeenCalled();
  });
});

describe('rollback-check handler: a checked group', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(['127.0.0.1']);
  });
  afterAll(async () => {
    await fleet.close();
  });

  it('returns the report and records probe metrics for the group', async () => {
    const report: RollbackReport = {
      group: 'web-green',
      checkedAt: '2026-01-01T00:00:00.000Z',
      verdict: 'hold',
      reasons: [{ verdict: 'hold', reason: 'TRANSIENT_FAILURE', instanceId: 'i-a', detail: 'x' }],
      versions: {},
      probe: { port: 80, path: '/health' },
      instances: [
        {
          instanceId: 'i-a',
          lifecycleState: 'InService',
          lb: [],
          probeLatencyMs: 12,
          health: { outcome: 'fail', failingChecks: [{ name: 'database:responseTime', transient: true }] },
        },
      ],
    };
    const check = vi.fn(async (_group: string, options?: { signal?: AbortSignal }) => {
      expect(options?.signal?.aborted).toBe(false);
      return report;
    });
    const recorder = memoryRecorder();
    const inner = createRollbackCheckHandler({ check, logger: createLogger(), recorder });
    await expect(inner({ autoScalingGroupName: ' web-green ' }, context())).resolves.toBe(report);
    expect(check).toHaveBeenCalledWith('web-green', expect.anything());
    expect(recorder.points).toEqual([
      { group: 'web-green', name: 'ProbeLatency', unit: 'Milliseconds', value: 12, extra: {} },
      { group: 'web-green', name: 'ProbeFailures', unit: 'Count', value: 1, extra: {} },
      {
        group: 'web-green',
        name: 'CheckFailures',
        unit: 'Count',
        value: 1,
        extra: { Check: 'database:responseTime' },
      },
    ]);
  });

  it('runs end to end through the middy stack against mocked AWS and a real instance', async () => {
    fleet.answer('127.0.0.1', 'i-a', { status: 'pass', version: '3.0.0' });
    asMock.on(DescribeLifecycleHooksCommand).resolves({ LifecycleHooks: [] });
    asMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'web-e2e',
          MinSize: 1,
          MaxSize: 1,
          DesiredCapacity: 1,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1a'],
          HealthCheckType: 'EC2',
          CreatedTime: new Date(0),
          Instances: [
            {
              InstanceId: 'i-a',
              LifecycleState: 'InService',
              HealthStatus: 'Healthy',
              AvailabilityZone: 'us-east-1a',
              ProtectedFromScaleIn: false,
            },
          ],
        },
      ],
    });
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-a', PrivateIpAddress: '127.0.0.1' }] }],
    });
    ssmMock.on(GetParameterCommand).resolves({
      Parameter: { Value: JSON.stringify({ port: fleet.port, probeCidrs: ['127.0.0.0/8'] }) },
    });

    const report = await handler({ autoScalingGroupName: 'web-e2e' }, context());

    expect(report.verdict).toBe('proceed');
    expect(report.versions).toEqual({ '3.0.0': 1 });
    expect(fleet.requests.map((r) => r.url)).toEqual(['/health']);
  });

  it('rethrows a failed check (e.g. an unknown group) so the invoker sees the error', async () => {
    asMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    await expect(handler({ autoScalingGroupName: 'missing' }, context())).rejects.toMatchObject({
      name: 'GroupNotFoundError',
    });
  });
});
