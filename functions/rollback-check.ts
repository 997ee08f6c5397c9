import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { loadFunctionConfig } from '../shared/config';
import {
  createLogger,
  createMetrics,
  type MetricsRecorder,
  powertoolsRecorder,
} from '../shared/observability';
import {
  createRollbackCheck,
  parseRollbackInput,
  type RollbackCheck,
  type RollbackCheckInput,
  RollbackInputError,
  type RollbackReport,
  recordReportMetrics,
} from '../shared/rollback';

/** The manual invocation's payload (validated at run time: anything else is refused before any call). */
export type RollbackCheckEvent = RollbackCheckInput;

/** Milliseconds kept back from the invocation's remaining time to return the report. */
export const RESERVE_MS = 1_000;

/** What the handler calls; injected so tests and other runtimes can replace it. */
export interface RollbackCheckHandlerDeps {
  check: RollbackCheck;
  logger: Logger;
  recorder: MetricsRecorder;
}

/**
 * The rollback check's handler, before middleware: validates `{ autoScalingGroupName }` (a bad payload throws
 * RollbackInputError naming the field, with no AWS call and no probe), checks the group within the invocation's
 * remaining time, records metrics and returns the report.
 */
export function createRollbackCheckHandler(deps: RollbackCheckHandlerDeps) {
  return async (event: unknown, context: Context): Promise<RollbackReport> => {
    let input: RollbackCheckInput;
    try {
      input = parseRollbackInput(event);
    } catch (error) {
      const field = error instanceof RollbackInputError ? error.field : undefined;
      deps.logger.warn('rollback check refused its input', { field, error: (error as Error).message });
      throw error;
    }
    const group = input.autoScalingGroupName;
    deps.logger.appendKeys({ group });
    const signal = AbortSignal.timeout(Math.max(1, context.getRemainingTimeInMillis() - RESERVE_MS));
    let report: RollbackReport;
    try {
      report = await deps.check(group, { signal });
    } catch (error) {
      deps.logger.error('rollback check failed', { error });
      throw error;
    }
    recordReportMetrics(deps.recorder, report);
    deps.logger.info('rollback check verdict', {
      verdict: report.verdict,
      reasons: report.reasons,
      versions: report.versions,
      instances: report.instances.length,
    });
    return report;
  };
}

// Read once per container: a bad environment fails the cold start with the key's name, not an invocation.
const config = loadFunctionConfig();
const logger = createLogger();
const metrics = createMetrics({ logger });

/**
 * Lambda entry point: `{ "autoScalingGroupName": "web-green" }` → {@link RollbackReport}
 * (verdict `proceed` | `hold` | `rollback`, reasons, per-instance findings).
 */
export const handler = middy<unknown, RollbackReport, Error, Context>(
  createRollbackCheckHandler({
    check: createRollbackCheck({ config }),
    logger,
    recorder: powertoolsRecorder(metrics),
  }),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
