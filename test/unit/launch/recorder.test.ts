import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMetrics, powertoolsRecorder, Unit } from '../../../shared/observability';

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  // Powertools' own warnings go to stderr.
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

function documents(): Record<string, unknown>[] {
  return out
    .join('')
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('powertoolsRecorder', () => {
  it('writes one EMF document per group, with the group as its only dimension, and no warnings', () => {
    const metrics = createMetrics();
    const recorder = powertoolsRecorder(metrics);
    recorder.record('web-blue', 'ProbeLatency', Unit.Milliseconds, 12);
    recorder.record('web-blue', 'ProbeLatency', Unit.Milliseconds, 15);
    recorder.record('web-green', 'Heartbeats', Unit.Count, 1);
    metrics.publishStoredMetrics();
    // After a flush (the middleware's), the same group is dimensioned again.
    recorder.record('web-green', 'Heartbeats', Unit.Count, 1);
    metrics.publishStoredMetrics();

    const docs = documents();
    expect(docs).toHaveLength(3);
    expect(docs[0]).toMatchObject({ AutoScalingGroupName: 'web-blue', ProbeLatency: [12, 15] });
    expect(docs[1]).toMatchObject({ AutoScalingGroupName: 'web-green', Heartbeats: 1 });
    expect(docs[2]).toMatchObject({ AutoScalingGroupName: 'web-green', Heartbeats: 1 });
    for (const doc of docs) {
      const meta = (doc._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] })
        .CloudWatchMetrics[0];
      expect(meta?.Namespace).toBe('HealthGate');
      expect(meta?.Dimensions).toEqual([['AutoScalingGroupName']]);
    }
    expect(err.join('')).not.toContain('has already been added');
  });

  it('sends a point with extra dimensions at once, in its own document', () => {
    const metrics = createMetrics();
    powertoolsRecorder(metrics).record('web-blue', 'Decisions', Unit.Count, 1, {
      Result: 'ABANDON',
      Reason: 'NON_TRANSIENT_FAILURE',
    });
    const docs = documents();
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({
      AutoScalingGroupName: 'web-blue',
      Result: 'ABANDON',
      Reason: 'NON_TRANSIENT_FAILURE',
      Decisions: 1,
    });
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});
