import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  cacheSettingsReads,
  createAutoScalingAdapter,
  createEc2Adapter,
  createElbAdapter,
  createElbV2Adapter,
  createPolicyLoader,
  createSqsAdapter,
  createSsmAdapter,
} from '../shared/aws';
import { type FunctionConfig, loadFunctionConfig, requireStepQueueUrl } from '../shared/config';
import { parsePolicyInput } from '../shared/gate';
import {
  createGateParameterReaders,
  type LaunchGateDeps,
  runStep,
  type StepOutcome,
  sleep,
} from '../shared/launch';
import { createLogger, createMetrics, describeError, powertoolsRecorder } from '../shared/observability';
import { probe } from '../shared/probe';

/**
 * Milliseconds kept back from the invocation's remaining time: the last CompleteLifecycleAction or SendMessage
 * (each with the SDK's bounded retries) and the runtime's own flush of logs and metrics.
 */
export const RESERVE_MS = 3_000;

/** What stays the same across invocations of one container (everything but the clock of the invocation). */
export type LaunchGateHandlerDeps = Omit<LaunchGateDeps, 'remainingMs'>;

/**
 * The launch gate's handler, before middleware. Its event source is the steps queue: each record is one step
 * (an Auto Scaling lifecycle event the EventBridge rule put on the queue, or a step the gate scheduled), run
 * concurrently with the others of the batch. A step that throws (completing the action or recording the load
 * balancer's verdict failed) is reported as a batch item failure, so SQS delivers it again and, after the
 * queue's maxReceiveCount, moves it to the dead-letter queue. A single event given directly (a manual invoke, or
 * a rule targeting the function) is one step; if it throws, so does the invocation.
 */
export function createLaunchGateHandler(deps: LaunchGateHandlerDeps) {
  return async (event: unknown, context: Context): Promise<SQSBatchResponse | StepOutcome> => {
    const remainingMs = () => Math.max(0, context.getRemainingTimeInMillis() - RESERVE_MS);
    if (!isSqsEvent(event)) return runStep(event, { ...deps, remainingMs });
    const failures = await Promise.all(
      event.Records.map(async (record) => {
        let body: unknown;
        try {
          body = JSON.parse(record.body);
        } catch {
          // Retrying cannot make it JSON: counted and logged by the step as a malformed input.
          body = record.body;
        }
        try {
          await runStep(body, { ...deps, remainingMs });
          return undefined;
        } catch (error) {
          deps.log.error('step failed: it will be delivered again', {
            messageId: record.messageId,
            receiveCount: record.attributes?.ApproximateReceiveCount,
            error: describeError(error),
          });
          return { itemIdentifier: record.messageId };
        }
      }),
    );
    return { batchItemFailures: failures.filter((f) => f !== undefined) };
  };
}

function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) &&
    records.every((r) => (r as { eventSource?: unknown })?.eventSource === 'aws:sqs')
  );
}

/** The production dependencies from one configuration: real SDK clients (endpoints from the SDK's env). */
export function defaultLaunchGateDeps(
  config: FunctionConfig,
  observability: Pick<LaunchGateDeps, 'log' | 'metrics'>,
): LaunchGateHandlerDeps {
  // Every cold container reads the group's policy, the health token and the state keys in one GetParameters call.
  const { ssm, healthToken, stateKeys } = createGateParameterReaders(createSsmAdapter(), config);
  const sqs = createSqsAdapter();
  const queueUrl = requireStepQueueUrl(config);
  // Hooks and load balancers' health checks change only when an operator changes them: read once per policy
  // cache period per container, not at every launch (membership, states and verdicts are always read fresh).
  const settings = cacheSettingsReads(
    { autoscaling: createAutoScalingAdapter(), elb: createElbAdapter(), elbv2: createElbV2Adapter() },
    { ttlMs: config.policyCacheSeconds * 1000 },
  );
  return {
    ...observability,
    ...settings,
    ec2: createEc2Adapter(),
    policies: createPolicyLoader({
      ssm,
      parse: parsePolicyInput,
      prefix: config.policyPrefix,
      cacheSeconds: config.policyCacheSeconds,
    }),
    defaultProbeCidrs: config.probeCidrs,
    healthToken,
    healthTokenHeader: config.healthTokenHeader,
    stateKeys,
    probe,
    schedule: async (step, delaySeconds) => {
      await sqs.sendJson(queueUrl, step, delaySeconds);
    },
    now: Date.now,
    sleep: (ms) => sleep(ms),
  };
}

// Once per container: a bad environment fails the cold start with the key's name; clients and caches are reused.
const config = loadFunctionConfig();
const logger = createLogger();
const metrics = createMetrics({ logger });

/**
 * Lambda entry point: SQS batches from the steps queue (lifecycle events and the gate's own steps). Never throws
 * for a malformed step; reports a step as failed only when completing the action or recording the load
 * balancer's verdict failed (after logging it).
 */
export const handler = middy<unknown, SQSBatchResponse | StepOutcome, Error, Context>(
  createLaunchGateHandler(
    defaultLaunchGateDeps(config, { log: logger, metrics: powertoolsRecorder(metrics) }),
  ),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
