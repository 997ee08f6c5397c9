import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE } from './metrics';

/** The logger shape Powertools Metrics accepts (a Powertools Logger is one). */
export type GenericLogger = NonNullable<NonNullable<ConstructorParameters<typeof Metrics>[0]>['logger']>;

// An invocation that only hands over records no metric; Powertools warns about that on every such invocation.
const EMPTY_METRICS_WARNING = /^No application metrics to publish/;

/**
 * Powertools' own warnings into `logger` (structured, with the invocation's keys) instead of the console; the
 * expected "no metrics to publish" of a hand-over-only invocation at debug level.
 */
export function metricsLogger(logger: GenericLogger): GenericLogger {
  return {
    debug: (...content) => logger.debug(...content),
    info: (...content) => logger.info(...content),
    warn: (...content) =>
      typeof content[0] === 'string' && EMPTY_METRICS_WARNING.test(content[0])
        ? logger.debug(...content)
        : logger.warn(...content),
    error: (...content) => logger.error(...content),
  };
}

/**
 * Powertools Metrics in namespace `HealthGate` with no default dimensions: the dashboard and the alarm select
 * on `AutoScalingGroupName` (and `Result`, `Reason`, `Check`) only, so the default `service` dimension is cleared.
 */
export function createMetrics(options: { logger?: GenericLogger } = {}): Metrics {
  const metrics = new Metrics({
    namespace: METRIC_NAMESPACE,
    ...(options.logger ? { logger: metricsLogger(options.logger) } : {}),
  });
  metrics.clearDefaultDimensions();
  return metrics;
}
