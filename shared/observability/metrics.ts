/**
 * The one list of metric names healthgate emits (Embedded Metric Format, namespace `HealthGate`,
 * dimension `AutoScalingGroupName`). The dashboard in serverless.yml plots only names from here;
 * a test checks that.
 */
export const METRIC_NAMESPACE = 'HealthGate';
export const METRIC_DIMENSION = 'AutoScalingGroupName';

export const MetricName = {
  /** Count of lifecycle decisions; also emitted with dimension `Result` and `Reason`. */
  Decisions: 'Decisions',
  ContinueDecisions: 'ContinueDecisions',
  AbandonDecisions: 'AbandonDecisions',
  /** Seconds from the lifecycle event's time to the final decision. */
  TimeToDecision: 'TimeToDecision',
  /** Milliseconds for one probe of an instance's /health. */
  ProbeLatency: 'ProbeLatency',
  ProbeFailures: 'ProbeFailures',
  /** Count of failing checks, with dimension `Check`. */
  CheckFailures: 'CheckFailures',
  Heartbeats: 'Heartbeats',
  Continuations: 'Continuations',
  /** CONTINUEd instances the load balancer then judged unhealthy. */
  LbDisagreements: 'LbDisagreements',
  /** CompleteLifecycleAction answered "No active Lifecycle Action found": someone else finished it. */
  AlreadyCompleted: 'AlreadyCompleted',
  /** Events rejected as malformed. */
  InvalidEvents: 'InvalidEvents',
  /** Continuations the gate could not prove it sealed: their carried observations were dropped. */
  UnsealedContinuations: 'UnsealedContinuations',
  /** Launches gated under a hook whose DefaultResult is CONTINUE: a launch nobody judges in time goes live. */
  FailOpenHooks: 'FailOpenHooks',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];
