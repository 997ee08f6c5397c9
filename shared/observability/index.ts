export { describeError, errorMessage, errorName } from './errors';
export { type LogEntry, type LogSink, memoryLogSink, type ScopedLog, scopedLog } from './log-sink';
export { createLogger } from './logger';
export { METRIC_DIMENSION, METRIC_NAMESPACE, MetricName } from './metrics';
export { createMetrics } from './powertools-metrics';
export {
  type ExtraDimensions,
  type MetricsRecorder,
  memoryRecorder,
  powertoolsRecorder,
  type RecordedMetric,
  UNKNOWN_GROUP,
  Unit,
} from './recorder';
export { tokenHash } from './token-hash';
