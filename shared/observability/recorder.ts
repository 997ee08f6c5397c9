import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSION, type MetricName } from './metrics';

/** Units healthgate's metrics use. */
export const Unit = {
  Count: 'Count',
  Milliseconds: 'Milliseconds',
  Seconds: 'Seconds',
} as const;
export type Unit = (typeof Unit)[keyof typeof Unit];

/** Extra dimensions beyond `AutoScalingGroupName` (e.g. `Result`, `Reason`, `Check`). */
export type ExtraDimensions = Readonly<Record<string, string>>;

/**
 * Where the orchestration records metrics. Names are typed by {@link MetricName}, so only names from the one
 * list can be emitted; every data point carries the group as dimension `AutoScalingGroupName`.
 */
export interface MetricsRecorder {
  /** Adds one data point for `group`, optionally with extra dimensions (an extra dimension set). */
  record(group: string, name: MetricName, unit: Unit, value: number, extra?: ExtraDimensions): void;
}

/** Group dimension value used when an event names no group (it must not be empty in EMF). */
export const UNKNOWN_GROUP = 'unknown';

/**
 * The production recorder: Powertools Metrics (EMF). Points with only the group dimension are stored and
 * flushed by the `logMetrics` middleware; points with extra dimensions go out at once through `singleMetric()`
 * because one EMF document has one set of dimensions for all its metrics.
 */
export function powertoolsRecorder(metrics: Metrics): MetricsRecorder {
  let currentGroup: string | undefined;
  return {
    record(group, name, unit, value, extra) {
      const dimensionValue = group || UNKNOWN_GROUP;
      if (extra && Object.keys(extra).length > 0) {
        const single = metrics.singleMetric();
        // singleMetric() re-adds the default `service` dimension; the dashboard selects without it.
        single.clearDefaultDimensions();
        single.addDimension(METRIC_DIMENSION, dimensionValue);
        for (const [key, val] of Object.entries(extra)) single.addDimension(key, val);
        single.addMetric(name, MetricUnit[unit], value);
        return;
      }
      // One EMF document carries one group: flush before switching groups. A flush (ours, the middleware's, or
      // Powertools' own at 100 metrics) clears the dimensions too, so the group is added again after one.
      if (metrics.hasStoredMetrics() && currentGroup !== dimensionValue) metrics.publishStoredMetrics();
      if (!metrics.hasStoredMetrics()) metrics.addDimension(METRIC_DIMENSION, dimensionValue);
      currentGroup = dimensionValue;
      metrics.addMetric(name, MetricUnit[unit], value);
    },
  };
}

/** One recorded data point (see {@link memoryRecorder}). */
export interface RecordedMetric {
  group: string;
  name: MetricName;
  unit: Unit;
  value: number;
  extra: ExtraDimensions;
}

/** A recorder that keeps points in memory: for tests and for the command line. */
export function memoryRecorder(): MetricsRecorder & { readonly points: RecordedMetric[] } {
  const points: RecordedMetric[] = [];
  return {
    points,
    record(group, name, unit, value, extra = {}) {
      points.push({ group: group || UNKNOWN_GROUP, name, unit, value, extra });
    },
  };
}
