import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeLifecycleHooksCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetInstanceHealthCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeInstanceHealthCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingClient,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { createAutoScalingAdapter } from '../../shared/aws/autoscaling';
import { createEc2Adapter } from '../../shared/aws/ec2';
import { createElbAdapter } from '../../shared/aws/elb';
import { createElbV2Adapter } from '../../shared/aws/elbv2';
import { createHealthTokenSource } from '../../shared/aws/health-token';
import { createPolicyLoader } from '../../shared/aws/policy-loader';
import { createSsmAdapter } from '../../shared/aws/ssm';
import { parsePolicyInput } from '../../shared/gate/policy';
import type { LaunchGateDeps } from '../../shared/launch/deps';
import { runStep, type StepOutcome } from '../../shared/launch/run-step';
import { createStateKeySource } from '../../shared/launch/state-seal';
import type { StepMessage } from '../../shared/launch/step-message';
import { memoryLogSink } from '../../shared/observability/log-sink';
import { memoryRecorder } from '../../shared/observability/recorder';
import { probe } from '../../shared/probe/probe';
import type { ProbeOptions } from '../../shared/probe/types';

export const GROUP = 'web-blue';
export const HOOK = 'healthgate-launch';
export const TOKEN = '5f8e7c9a-1b2c-4d3e-8f9a-0b1c2d3e4f5a';
export const INSTANCE = 'i-0123456789abcdef0';
export const PEER = 'i-0fedcba9876543210';
export const HEALTH_TOKEN = 'health-token-s3cret';
export const TOKEN_PARAMETER = '/healthgate/health-token';
export const STATE_KEY_PARAMETER = '/healthgate-gate/state-key';
export const STATE_KEY = 'state-key-0123456789abcdef0123456789abcdef';
export const EVENT_TIME = Date.parse('2026-01-01T00:00:00Z');

/** The EventBridge lifecycle event Auto Scaling sends for a launch into the group. */
export function launchEvent(detail: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: 'e-1',
    'detail-type': 'EC2 Instance-launch Lifecycle Action',
    source: 'aws.autoscaling',
    account: '123456789012',
    time: new Date(EVENT_TIME).toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {
      LifecycleActionToken: TOKEN,
      AutoScalingGroupName: GROUP,
      LifecycleHookName: HOOK,
      EC2InstanceId: INSTANCE,
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      Origin: 'EC2',
      Destination: 'AutoScalingGroup',
      ...detail,
    },
    ...envelope,
  };
}

/** A health+json body as the instances' app serves it. */
export function healthBody(
  status: 'pass' | 'warn' | 'fail',
  options: {
    instanceId?: string;
    failing?: { name: string; transient?: boolean; componentType?: string }[];
  } = {},
) {
  const checks: Record<string, unknown[]> = {
    'configuration:keys': [{ status: 'pass', componentType: 'component', time: new Date(0).toISOString() }],
  };
  for (const f of options.failing ?? []) {
    checks[f.name] = [
      {
        status: 'fail',
        componentType: f.componentType ?? 'component',
        time: new Date(0).toISOString(),
        output: `${f.name} failing`,
        ...(f.transient === false ? { transient: false } : {}),
      },
    ];
  }
  return {
    status,
    version: '1.4.2',
    instanceId: options.instanceId ?? INSTANCE,
    checks,
  };
}

export type Reply = { status: number; body: unknown } | 'hang';

/** A real HTTP server on loopback standing in for an instance's /health. */
export interface FakeInstance {
  port: number;
  requests: { path: string; headers: IncomingHttpHeaders }[];
  /** Sets the answer for the n-th request (0-based). */
  reply: (fn: (n: number) => Reply) => void;
  close: () => Promise<void>;
}

export async function startInstance(host = '127.0.0.1', port = 0): Promise<FakeInstance> {
  let replyFn: (n: number) => Reply = () => ({ status: 200, body: healthBody('pass') });
  const requests: FakeInstance['requests'] = [];
  const server: Server = createServer((req, res) => {
    const n = requests.length;
    requests.push({ path: req.url ?? '', headers: req.headers });
    const reply = replyFn(n);
    if (reply === 'hang') return;
    res.writeHead(reply.status, { 'content-type': 'application/health+json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    reply: (fn) => {
      replyFn = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A clock and sleep that only move when the gate sleeps (or the test advances them). */
export function fakeClock(start = EVENT_TIME + 1_000) {
  let t = start;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += Math.max(0, ms);
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

export interface HarnessOptions {
  policy?: Record<string, unknown> | string;
  privateIp?: string;
  groupTag?: string;
  heartbeatTimeout?: number;
  loadBalancerNames?: string[];
  targetGroupArns?: string[];
  /** Milliseconds each step's invocation may use (default 60 000). */
  budgetMs?: number;
  inService?: { instanceId: string; privateIp: string }[];
  /** Tags of the canary's group (e.g. `healthgate:baseline-group`). */
  groupTags?: Record<string, string>;
  /** Another group, described when asked for by name (a blue/green deploy's serving group). */
  otherGroup?: { name: string; inService: { instanceId: string; privateIp: string }[] };
  /** The canary's lifecycle state in its group's listing (default `Pending:Wait`; `absent`: not listed). */
  lifecycleState?: string;
  /** The hook's DefaultResult (default `ABANDON`), and its GlobalTimeout when set. */
  hookDefaultResult?: string;
  hookGlobalTimeout?: number;
  /** No lifecycle hook is described at all. */
  noHook?: boolean;
  /** What DescribeAutoScalingInstances reports for the instance (default: in this group, `Pending:Wait`). */
  asInstance?: { groupName: string; lifecycleState: string } | 'absent';
  /** How long the health token and the state keys are cached, on the fake clock (default 0: read every time). */
  secretCacheSeconds?: number;
}

/**
 * Real adapters over mocked SDK clients (the exact commands can be asserted), the real probe, the real policy
 * loader and token source, a fake clock and an in-memory hand-over, recorder and log.
 */
export function createHarness(instance: FakeInstance, options: HarnessOptions = {}) {
  const autoscalingClient = new AutoScalingClient({});
  const ec2Client = new EC2Client({});
  const elbClient = new ElasticLoadBalancingClient({});
  const elbv2Client = new ElasticLoadBalancingV2Client({});
  const ssmClient = new SSMClient({});
  const as = mockClient(autoscalingClient);
  const ec2 = mockClient(ec2Client);
  const elb = mockClient(elbClient);
  const elbv2 = mockClient(elbv2Client);
  const ssm = mockClient(ssmClient);

  const policy =
    options.policy ??
    ({
      port: instance.port,
      probeCidrs: ['127.0.0.0/8'],
      intervalSeconds: 2,
      timeoutSeconds: 1,
      healthyThreshold: 3,
      deadlineSeconds: 60,
      lbVerifySeconds: 20,
    } as Record<string, unknown>);
  ssm.on(GetParameterCommand, { Name: `/healthgate/${GROUP}/policy` }).resolves({
    Parameter: { Value: typeof policy === 'string' ? policy : JSON.stringify(policy) },
  });
  ssm.on(GetParameterCommand, { Name: TOKEN_PARAMETER }).resolves({ Parameter: { Value: HEALTH_TOKEN } });
  ssm.on(GetParameterCommand, { Name: STATE_KEY_PARAMETER }).resolves({ Parameter: { Value: STATE_KEY } });

  const loadBalancerNames = options.loadBalancerNames ?? ['web-classic'];
  const targetGroupArns = options.targetGroupArns ?? [];
  const peers = options.inService ?? [];
  let canaryState = options.lifecycleState ?? 'Pending:Wait';
  as.on(DescribeAutoScalingGroupsCommand).callsFake(() => ({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: GROUP,
        MinSize: 1,
        MaxSize: 4,
        DesiredCapacity: 2,
        DefaultCooldown: 300,
        AvailabilityZones: ['us-east-1a'],
        HealthCheckType: 'ELB',
        CreatedTime: new Date(0),
        LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '7' },
        LoadBalancerNames: loadBalancerNames,
        TargetGroupARNs: targetGroupArns,
        Tags: Object.entries(options.groupTags ?? {}).map(([Key, Value]) => ({
          Key,
          Value,
          ResourceId: GROUP,
          ResourceType: 'auto-scaling-group',
          PropagateAtLaunch: false,
        })),
        Instances: [
          ...(canaryState === 'absent'
            ? []
            : [
                {
                  InstanceId: INSTANCE,
                  LifecycleState: canaryState as 'Pending:Wait',
                  HealthStatus: 'Healthy',
                  AvailabilityZone: 'us-east-1a',
                  ProtectedFromScaleIn: false,
                },
              ]),
          ...peers.map((p) => ({
            InstanceId: p.instanceId,
            LifecycleState: 'InService' as const,
            HealthStatus: 'Healthy',
            AvailabilityZone: 'us-east-1a',
            ProtectedFromScaleIn: false,
          })),
        ],
      },
    ],
  }));
  const other = options.otherGroup;
  if (other) {
    as.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: [other.name] }).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: other.name,
          MinSize: 1,
          MaxSize: 4,
          DesiredCapacity: other.inService.length,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1a'],
          HealthCheckType: 'ELB',
          CreatedTime: new Date(0),
          LoadBalancerNames: loadBalancerNames,
          Instances: other.inService.map((p) => ({
            InstanceId: p.instanceId,
            LifecycleState: 'InService' as const,
            HealthStatus: 'Healthy',
            AvailabilityZone: 'us-east-1a',
            ProtectedFromScaleIn: false,
          })),
        },
      ],
    });
  }
  as.on(DescribeLifecycleHooksCommand).resolves({
    LifecycleHooks: options.noHook
      ? []
      : [
          {
            LifecycleHookName: HOOK,
            AutoScalingGroupName: GROUP,
            LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
            HeartbeatTimeout: options.heartbeatTimeout ?? 300,
            DefaultResult: options.hookDefaultResult ?? 'ABANDON',
            ...(options.hookGlobalTimeout !== undefined ? { GlobalTimeout: options.hookGlobalTimeout } : {}),
          },
        ],
  });
  const asInstance = options.asInstance ?? { groupName: GROUP, lifecycleState: 'Pending:Wait' };
  as.on(DescribeAutoScalingInstancesCommand).resolves({
    AutoScalingInstances:
      asInstance === 'absent'
        ? []
        : [
            {
              InstanceId: INSTANCE,
              AutoScalingGroupName: asInstance.groupName,
              AvailabilityZone: 'us-east-1a',
              LifecycleState: asInstance.lifecycleState as never,
              HealthStatus: 'HEALTHY',
              ProtectedFromScaleIn: false,
            },
          ],
  });
  as.on(CompleteLifecycleActionCommand).resolves({});
  as.on(RecordLifecycleActionHeartbeatCommand).resolves({});
  as.on(SetInstanceHealthCommand).resolves({});

  const ec2Instance = (id: string, ip: string | undefined, group: string | undefined) => ({
    InstanceId: id,
    ...(ip ? { PrivateIpAddress: ip } : {}),
    State: { Name: 'running' as const, Code: 16 },
    Tags: [
      ...(group ? [{ Key: 'aws:autoscaling:groupName', Value: group }] : []),
      { Key: 'aws:ec2launchtemplate:version', Value: '7' },
    ],
  });
  ec2.on(DescribeInstancesCommand, { InstanceIds: [INSTANCE] }).resolves({
    Reservations: [
      {
        Instances: [
          ec2Instance(
            INSTANCE,
            options.privateIp ?? '127.0.0.1',
            'groupTag' in options ? options.groupTag : GROUP,
          ),
        ],
      },
    ],
  });
  for (const p of peers) {
    ec2.on(DescribeInstancesCommand, { InstanceIds: [p.instanceId] }).resolves({
      Reservations: [{ Instances: [ec2Instance(p.instanceId, p.privateIp, GROUP)] }],
    });
  }
  for (const p of other?.inService ?? []) {
    ec2.on(DescribeInstancesCommand, { InstanceIds: [p.instanceId] }).resolves({
      Reservations: [{ Instances: [ec2Instance(p.instanceId, p.privateIp, other!.name)] }],
    });
  }

  elb.on(DescribeLoadBalancersCommand).resolves({
    LoadBalancerDescriptions: [
      {
        LoadBalancerName: 'web-classic',
        HealthCheck: {
          Target: `HTTP:${instance.port}/health`,
          Interval: 30,
          Timeout: 5,
          HealthyThreshold: 2,
          UnhealthyThreshold: 2,
        },
      },
    ],
  });
  elb.on(DescribeInstanceHealthCommand).resolves({
    InstanceStates: [{ InstanceId: INSTANCE, State: 'InService', ReasonCode: 'N/A', Description: 'N/A' }],
  });
  elbv2.on(DescribeTargetGroupsCommand).resolves({
    TargetGroups: targetGroupArns.map((arn) => ({
      TargetGroupArn: arn,
      TargetGroupName: 'web',
      Protocol: 'HTTP',
      Port: instance.port,
      HealthCheckEnabled: true,
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: 'traffic-port',
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
    })),
  });
  elbv2.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [
      { Target: { Id: INSTANCE, Port: instance.port }, TargetHealth: { State: 'healthy' } },
    ],
  });

  const clock = fakeClock();
  // Each step is its own invocation, with its own budget from the moment it starts.
  const budgetMs = options.budgetMs ?? 60_000;
  let budgetEnd = clock.now() + budgetMs;
  const scheduled: { step: StepMessage; delaySeconds: number }[] = [];
  const probes: ProbeOptions[] = [];
  const log = memoryLogSink();
  const metrics = memoryRecorder();
  const ssmAdapter = createSsmAdapter(ssmClient);
  const deps: LaunchGateDeps = {
    autoscaling: createAutoScalingAdapter(autoscalingClient),
    ec2: createEc2Adapter(ec2Client),
    elb: createElbAdapter(elbClient),
    elbv2: createElbV2Adapter(elbv2Client),
    policies: createPolicyLoader({ ssm: ssmAdapter, parse: parsePolicyInput, cacheSeconds: 0 }),
    defaultProbeCidrs: ['10.0.0.0/8'],
    healthToken: createHealthTokenSource({
      ssm: ssmAdapter,
      parameterName: TOKEN_PARAMETER,
      cacheSeconds: options.secretCacheSeconds ?? 0,
      now: clock.now,
    }),
    healthTokenHeader: 'x-health-token',
    stateKeys: createStateKeySource({
      ssm: ssmAdapter,
      parameterName: STATE_KEY_PARAMETER,
      cacheSeconds: options.secretCacheSeconds ?? 0,
      now: clock.now,
    }),
    probe: (o) => {
      probes.push(o);
      return probe(o);
    },
    schedule: async (step, delaySeconds) => {
      scheduled.push({ step: JSON.parse(JSON.stringify(step)) as StepMessage, delaySeconds });
    },
    metrics,
    log,
    now: clock.now,
    sleep: clock.sleep,
    remainingMs: () => Math.max(0, budgetEnd - clock.now()),
  };
  /** Moves the canary to another lifecycle state in its group's listing (e.g. `InService` after CONTINUE). */
  const setLifecycleState = (state: string) => {
    canaryState = state;
  };
  /** The input the last step ran on: what SQS would deliver again if that step threw. */
  let lastInput: unknown;
  /** Runs one step as a fresh invocation. */
  const step = (input: unknown): Promise<StepOutcome> => {
    lastInput = input;
    budgetEnd = clock.now() + budgetMs;
    return runStep(input, deps);
  };
  /**
   * Runs a launch to its end as the queue would: each scheduled step after its delay (on the fake clock). The
   * gate's decision comes back with the load balancer watch's verdict (`lb`) when one followed a CONTINUE.
   */
  const run = async (input: unknown, maxSteps = 2_000): Promise<RunOutcome> => {
    let out = await step(input);
    let decided: Extract<StepOutcome, { outcome: 'decided' }> | undefined;
    for (let n = 1; ; n++) {
      if (out.outcome === 'decided' && out.watch === 'scheduled') decided = out;
      else if (out.outcome !== 'scheduled') break;
      if (n >= maxSteps) throw new Error(`still scheduling after ${maxSteps} steps`);
      const next = scheduled[scheduled.length - 1]!;
      clock.advance(next.delaySeconds * 1000);
      out = await step(next.step);
    }
    if (!decided) return out;
    return {
      ...decided,
      lb: out.outcome === 'lb-verified' ? { verdict: out.verdict, detail: out.detail } : undefined,
      after: out,
    };
  };
  return {
    deps,
    mocks: { as, ec2, elb, elbv2, ssm },
    clock,
    scheduled,
    step,
    run,
    retry: () => step(lastInput),
    rerun: () => run(lastInput),
    probes,
    log,
    metrics,
    setLifecycleState,
  };
}

export type Harness = ReturnType<typeof createHarness>;

/** A launch run to its end: the step outcome, or the decision with the LB watch's verdict that followed it. */
export type RunOutcome =
  | Exclude<StepOutcome, { outcome: 'decided' }>
  | (Extract<StepOutcome, { outcome: 'decided' }> & {
      lb?: { verdict: string; detail: string };
      after?: StepOutcome;
    });
