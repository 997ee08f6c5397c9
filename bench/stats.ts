/** Summary of a sample of durations, in the sample's unit, rounded for the report. */
export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles; small enough not to need a library. */
export function summarise(values: readonly number[], digits = 3): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  const round = (v: number) => Number(v.toFixed(digits));
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return {
    n: sorted.length,
    mean: round(mean),
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    max: round(at(1)),
  };
}

export const MIB = 1024 * 1024;

/** The lower median: a figure that was measured, not an average of two. */
export function median(values: readonly number[]): number {
  return summarise(values, 3).p50;
}
