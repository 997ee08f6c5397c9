/**
 * Shared set-up of the gate's integration tests: the real `functions/launch-gate.ts` handler, unchanged, behind
 * the sim's Lambda and EventBridge emulation, gating instances that are real app processes.
 */
import path from 'node:path';
import type { FaultRule } from '../../sim/api/faults';
import { formatUserData, runMigrations } from '../../sim/fleet';
import { jsonLines } from '../../sim/lambda/function-logs';
import type { LambdaHandler } from '../../sim/lambda/functions';
import { LAUNCH_GATE_FUNCTION, type LocalStack, startLocalStack } from '../../sim/local-stack';

export const SECRET_KEY = 'sim-secret-key-not-a-secret';

/** The policy every gated group gets: small intervals, so a test takes seconds. */
export const POLICY = {
  path: '/health',
  intervalSeconds: 0.5,
  timeoutSeconds: 0.4,
  healthyThreshold: 2,
  deadlineSeconds: 15,
  lbVerifySeconds: 20,
} as const;

/**
 * The deadline of groups whose instances must boot before the gate can judge them: an app process loads in about
 * a second on an idle machine but has been seen to take 15 s on a loaded two-core one.
 */
export const BOOT_TOLERANT_DEADLINE_SECONDS = 90;

/** The gate's Lambda timeout, as serverless.yml deploys it: a step is a probe and a few calls. */
export const GATE_TIMEOUT_MS = 30_000;

export interface GateStackOptions {
  seed: number;
  duplicates?: boolean;
  faults?: FaultRule[];
  /**
   * Loads the launch gate's module for a container; default `functions/launch-gate.ts` itself. The packaged
   * bundle's test loads the zip's `.mjs` here instead.
   */
  loadGate?: (container: number) => Promise<{ handler: LambdaHandler }>;
}

/** A stack with the real gate, images `ami-v1` and `ami-v3` (ships migration 0003), and a v1-migrated database. */
export async function startGateStack(
  options: GateStackOptions,
): Promise<{ stack: LocalStack; sharedDb: string }> {
  const stack = await startLocalStack({
    seed: options.seed,
    // Lifecycle timeouts and LB checks run at a tenth of AWS's time; the hooks below outlast the gate's deadline.
    timeScale: 0.1,
    duplicates: options.duplicates,
    fleet: {
      images: [{ imageId: 'ami-v1' }, { imageId: 'ami-v3', extraMigrations: ['0003_add_meter_reads'] }],
      killGraceMs: 1000,
    },
    appConfig: { 'secret-key': SECRET_KEY },
    // The gate's log is its record of each step (as CloudWatch Logs is on AWS): kept with each invocation, not
    // printed, and read back below.
    env: { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'true' },
    lambdaLogs: { echo: false },
    functions: {
      [LAUNCH_GATE_FUNCTION]: {
        // One module instance per container: concurrent invocations never share clients, caches or the logger.
        load:
          options.loadGate ??
          ((container) => import(/* @vite-ignore */ `../../functions/launch-gate.ts?container=${container}`)),
        options: { timeoutMs: GATE_TIMEOUT_MS },
      },
    },
  });
  const sharedDb = path.join(stack.runDir, 'shared.sqlite');
  try {
    await runMigrations(stack.images.get('ami-v1')!, { SQLITE_PATH: sharedDb, SECRET_KEY });
  } catch (error) {
    await stack.close();
    throw error;
  }
  if (options.faults) stack.sim.faults.set(options.faults);
  return { stack, sharedDb };
}

/** Creates a gated group of one instance: its launch template (image + UserData), a classic LB, the policy. */
export function launchGroup(
  stack: LocalStack,
  name: string,
  spec: {
    imageId: string;
    env?: Record<string, string>;
    targetGroup?: boolean;
    policy?: Record<string, unknown>;
  },
): { instanceId: string; privateIp: string } {
  const { model } = stack.sim;
  const port = stack.fleetPort!;
  model.launchTemplates.create(`${name}-lt`, {
    ImageId: spec.imageId,
    UserData: Buffer.from(formatUserData({ APP_VERSION: name, ...spec.env })).toString('base64'),
  });
  model.loadBalancers.createClassic({
    name: `${name}-elb`,
    listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: port }],
  });
  model.loadBalancers.configureHealthCheck(`${name}-elb`, {
    Target: `HTTP:${port}/health`,
    Interval: 5,
    Timeout: 3,
    HealthyThreshold: 2,
    UnhealthyThreshold: 2,
  });
  const targetGroupArns = spec.targetGroup
    ? [
        model.loadBalancers.createTargetGroup({
          name: `${name}-tg`,
          port,
          healthCheckPath: '/health',
          healthCheckIntervalSeconds: 5,
          healthCheckTimeoutSeconds: 3,
          healthyThresholdCount: 2,
          deregistrationDelaySeconds: 10,
        }).arn,
      ]
    : [];
  stack.putPolicy(name, { ...POLICY, port, ...spec.policy });
  model.autoscaling.createGroup({
    name,
    minSize: 0,
    maxSize: 2,
    desiredCapacity: 1,
    launchTemplate: { name: `${name}-lt`, version: '$Latest' },
    loadBalancerNames: [`${name}-elb`],
    targetGroupArns,
    hooks: [
      {
        hookName: 'healthgate-launch',
        transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        // × timeScale 0.1 = 180 s: the gate (whose clock is not scaled) decides long before the hook times out.
        heartbeatTimeout: 1800,
        defaultResult: 'ABANDON',
      },
    ],
  });
  const instance = model.autoscaling.groupInstances(name)[0]!;
  return { instanceId: instance.instanceId, privateIp: instance.privateIp };
}

/** One structured line of the gate's log. */
export type GateLogLine = Record<string, unknown> & { message: string; level?: string; instanceId?: string };

/** Every line the gate logged about `instanceId`, across every invocation (a batch of steps holds several). */
export function gateLogOf(stack: LocalStack, instanceId: string): GateLogLine[] {
  return stack.sim.functions.invocations
    .flatMap((record) => jsonLines(record.logs ?? []))
    .filter(
      (line): line is GateLogLine => line.instanceId === instanceId && typeof line.message === 'string',
    );
}

/** Log lines that end a chain of steps for an instance (a decision, or finding the action already gone). */
const CHAIN_ENDS = [
  'lifecycle action completed',
  'lifecycle action already completed elsewhere: not retried',
  'lifecycle action no longer active (completed elsewhere or timed out): stopping',
  'instance ended while it waited: nothing to gate',
  'instance not waiting on a launch hook: nothing to decide',
  // A copy whose first step comes after the other copy's CONTINUE: its gating ends there (it then watches the
  // load balancers in the decided one's stead, a chain that logs no end of its own when they agree).
  'launch already continued: resuming the load balancer watch',
];

/** The chains of steps for an instance that have ended, one entry per ending line. */
export function chainEndsOf(stack: LocalStack, instanceId: string): GateLogLine[] {
  return gateLogOf(stack, instanceId).filter((l) => CHAIN_ENDS.includes(l.message));
}

/** Steps the gate queued for an instance (each `next step scheduled` line). */
export function stepsScheduledOf(stack: LocalStack, instanceId: string): GateLogLine[] {
  return gateLogOf(stack, instanceId).filter((l) => l.message === 'next step scheduled');
}

/**
 * The gate's decision for the instance as its log tells it: the completion line (the one that completed the
 * action, with duplicate deliveries), and the load balancers' verdict when the watch after a CONTINUE ended.
 */
export function decisionOf(
  stack: LocalStack,
  instanceId: string,
):
  | { action: string; reason: string; detail: string; completion: string; lb?: { verdict: string } }
  | undefined {
  const log = gateLogOf(stack, instanceId);
  const completed = log.find((l) => l.message === 'lifecycle action completed');
  const already = log.find((l) => l.message === 'lifecycle action already completed elsewhere: not retried');
  const line = completed ?? already;
  if (!line) return undefined;
  const decision = {
    action: String(line.result),
    reason: String(line.reason),
    detail: String(line.detail ?? ''),
    completion: completed ? 'completed' : 'already-completed',
  };
  if (decision.action !== 'CONTINUE') return decision;
  const agreed = log.some((l) => l.message === 'load balancer agrees: instance healthy');
  const disagreed = log.some((l) => l.reason === 'LB_UNHEALTHY' && l.level === 'ERROR');
  return agreed || disagreed ? { ...decision, lb: { verdict: agreed ? 'healthy' : 'unhealthy' } } : decision;
}

/** Waits for the gate's decision on the instance; after a CONTINUE, until the load balancers' watch has ended too. */
export function waitForDecision(
  stack: LocalStack,
  instanceId: string,
  timeoutMs: number,
  label = instanceId,
) {
  return stack.waitFor(
    () => {
      const decision = decisionOf(stack, instanceId);
      return decision && (decision.action !== 'CONTINUE' || decision.lb) ? decision : undefined;
    },
    timeoutMs,
    `the ${label} decision`,
  );
}

/** Every way the instance's launching lifecycle action was finished (by the gate or by a timeout). */
export function completionsOf(stack: LocalStack, instanceId: string) {
  return stack.timeline.of('lifecycle-action', instanceId);
}

/** Successful CompleteLifecycleAction calls for the instance, from the sim's request log. */
export function completeCallsOf(stack: LocalStack, instanceId: string) {
  return stack.sim.requests
    .entries({ service: 'autoscaling', action: 'CompleteLifecycleAction' })
    .filter((e) => {
      const { LifecycleActionToken: token, InstanceId } = e.params as {
        LifecycleActionToken?: string;
        InstanceId?: string;
      };
      const forInstance =
        token !== undefined
          ? stack.sim.model.autoscaling.actions.get(token)?.instanceId === instanceId
          : InstanceId === instanceId;
      return e.result === 'ok' && forInstance;
    });
}

/** When the lifecycle action of the instance started (the model's clock, epoch ms). */
export function actionStartOf(stack: LocalStack, instanceId: string): number {
  const action = [...stack.sim.model.autoscaling.actions.values()].find((a) => a.instanceId === instanceId);
  if (!action) throw new Error(`no lifecycle action for ${instanceId}`);
  return action.startedAt;
}

/** Stops a group relaunching after an abandon (each replacement would be gated again). */
export function retire(stack: LocalStack, group: string): void {
  stack.sim.model.autoscaling.updateGroup(group, { minSize: 0, maxSize: 0, desiredCapacity: 0 });
}
