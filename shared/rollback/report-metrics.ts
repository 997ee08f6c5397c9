import { MetricName, type MetricsRecorder, Unit } from '../observability';
import type { RollbackReport } from './inspect';

/**
 * Records what the rollback check measured: each probe's latency, failed probes, and failing checks by name
 * (dimension `Check`), under the group's `AutoScalingGroupName`, so the dashboard's probe panels include them.
 */
export function recordReportMetrics(recorder: MetricsRecorder, report: RollbackReport): void {
  for (const instance of report.instances) {
    if (instance.probeLatencyMs !== undefined) {
      recorder.record(report.group, MetricName.ProbeLatency, Unit.Milliseconds, instance.probeLatencyMs);
    }
    const health = instance.health;
    if (health && (health.outcome === 'fail' || health.outcome === 'error')) {
      recorder.record(report.group, MetricName.ProbeFailures, Unit.Count, 1);
    }
    for (const check of health?.failingChecks ?? []) {
      recorder.record(report.group, MetricName.CheckFailures, Unit.Count, 1, { Check: check.name });
    }
  }
}
