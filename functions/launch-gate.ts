import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import {
  createAutoScalingAdapter,
  createEc2Adapter,
  createElbAdapter,
  createElbV2Adapter,
  createPolicyLoader,
  createSsmAdapter,
} from '../shared/aws';
import { type FunctionConfig, loadFunctionConfig } from '../shared/config';
import { parsePolicyInput } from '../shared/gate';
import {
  type Continuation,
  createHealthTokenSource,
  createLambdaClient,
  createStateKeySource,
  type LaunchGateDeps,
  type LaunchOutcome,
  lambdaHandOver,
  runLaunchGate,
  sleep,
} from '../shared/launch';
import { createLogger, createMetrics, powertoolsRecorder } from '../shared/observability';
import { probe } from '../shared/probe';

/** The events the gate takes: Auto Scaling's lifecycle event, or its own continuation. */
export type LaunchGateEvent =
  | EventBridgeEvent<'EC2 Instance-launch Lifecycle Action', unknown>
  | Continuation;

/**
 * Milliseconds kept back from the invocation's remaining time: the last CompleteLifecycleAction or hand-over
 * (each with the SDK's bounded retries) and the runtime's own flush of logs and metrics.
 */
export const RESERVE_MS = 3_000;

/** What stays the same across invocations of one container (everything but the hand-over target and the clock). */
export type LaunchGateHandlerDeps = Omit<LaunchGateDeps, 'handOver' | 'remainingMs'> & {
  lambda: LambdaClient;
};

/**
 * The launch gate's handler, before middleware. The hand-over invokes `context.functionName`, and the budget is
 * `context.getRemainingTimeInMillis()` less {@link RESERVE_MS}.
 */
export function createLaunchGateHandler(deps: LaunchGateHandlerDeps) {
  const { lambda, ...rest } = deps;
  return (event: unknown, context: Context): Promise<LaunchOutcome> =>
    runLaunchGate(event, {
      ...rest,
      handOver: lambdaHandOver<Continuation>(lambda, context.functionName),
      remainingMs: () => Math.max(0, context.getRemainingTimeInMillis() - RESERVE_MS),
    });
}

/** The production dependencies from one configuration: real SDK clients (endpoints from the SDK's env). */
export function defaultLaunchGateDeps(
  config: FunctionConfig,
  observability: Pick<LaunchGateDeps, 'log' | 'metrics'>,
): LaunchGateHandlerDeps {
  const ssm = createSsmAdapter();
  return {
    ...observability,
    autoscaling: createAutoScalingAdapter(),
    ec2: createEc2Adapter(),
    elb: createElbAdapter(),
    elbv2: createElbV2Adapter(),
    policies: createPolicyLoader({
      ssm,
      parse: parsePolicyInput,
      prefix: config.policyPrefix,
      cacheSeconds: config.policyCacheSeconds,
    }),
    defaultProbeCidrs: config.probeCidrs,
    healthToken: createHealthTokenSource({
      ssm,
      parameterName: config.healthTokenParameter,
      cacheSeconds: config.policyCacheSeconds,
    }),
    healthTokenHeader: config.healthTokenHeader,
    stateKeys: createStateKeySource({
      ssm,
      parameterName: config.stateKeyParameter,
      cacheSeconds: config.policyCacheSeconds,
    }),
    probe,
    now: Date.now,
    sleep: (ms) => sleep(ms),
    lambda: createLambdaClient(),
  };
}

// Once per container: a bad environment fails the cold start with the key's name; clients and caches are reused.
const config = loadFunctionConfig();
const logger = createLogger();
const metrics = createMetrics({ logger });

/**
 * Lambda entry point for EventBridge `EC2 Instance-launch Lifecycle Action` events and the gate's own
 * continuations (`{ "healthgate": "continuation", ... }`). Never throws for a malformed event; throws only when
 * CompleteLifecycleAction itself fails (after logging the decision), or when an instance the load balancer failed
 * cannot be checked for group membership (after logging the verdict), so Lambda's retry and DLQ see it.
 */
export const handler = middy<LaunchGateEvent, LaunchOutcome, Error, Context>(
  createLaunchGateHandler(
    defaultLaunchGateDeps(config, { log: logger, metrics: powertoolsRecorder(metrics) }),
  ),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
