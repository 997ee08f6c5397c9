import { compactObservation } from '../gate';
import { MetricName, type MetricsRecorder, Unit } from '../observability';
import type { RollbackReport } from './inspect';
import type { HealthObservation } from './verdict';

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
    for (const name of metricCheckNames(health)) {
      recorder.record(report.group, MetricName.CheckFailures, Unit.Count, 1, { Check: name });
    }
  }
}

/**
 * Check names come from the instance: bounded as the gate bounds them (compactObservation: a few names,
 * non-transient first, clipped, control characters removed), so a body listing thousands of checks, or new
 * names on every probe, cannot flood the metrics with dimensions.
 */
function metricCheckNames(health: HealthObservation | undefined): string[] {
  if (!health || health.failingChecks.length === 0) return [];
  const compacted = compactObservation({
    at: 0,
    latencyMs: 0,
    outcome: health.outcome,
    failingChecks: health.failingChecks,
  });
  return compacted.failingChecks.map((c) => c.name);
}
