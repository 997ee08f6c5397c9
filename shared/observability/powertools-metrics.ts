import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE } from './metrics';

/**
 * Powertools Metrics in namespace `HealthGate` with no default dimensions: the dashboard and the alarm select
 * on `AutoScalingGroupName` (and `Result`, `Reason`, `Check`) only, so the default `service` dimension is cleared.
 */
export function createMetrics(): Metrics {
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE });
  metrics.clearDefaultDimensions();
  return metrics;
}
