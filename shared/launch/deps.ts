import type { AutoScalingAdapter } from '../aws/autoscaling';
import type { Ec2Adapter } from '../aws/ec2';
import type { ElbAdapter } from '../aws/elb';
import type { ElbV2Adapter } from '../aws/elbv2';
import type { HealthTokenSource } from '../aws/health-token';
import type { PolicyLoader } from '../aws/policy-loader';
import type { PolicyInput } from '../gate';
import type { LogSink, MetricsRecorder, ScopedLog } from '../observability';
import type { ProbeOptions, ProbeResult } from '../probe';
import type { StateKeySource } from './state-seal';
import type { StepMessage } from './step-message';

/** Queues the gate's next step `delaySeconds` from now (whole seconds, 0 to 900). */
export type ScheduleStep = (step: StepMessage, delaySeconds: number) => Promise<void>;

/** Everything a step touches, injected (the handler passes the real ones, tests fakes). */
export interface LaunchGateDeps {
  autoscaling: Pick<
    AutoScalingAdapter,
    | 'describeGroup'
    | 'describeLifecycleHooks'
    | 'recordHeartbeat'
    | 'completeLifecycleAction'
    | 'setInstanceHealth'
    | 'describeInstances'
  >;
  ec2: Pick<Ec2Adapter, 'describeInstance'>;
  elb: Pick<ElbAdapter, 'describeHealthCheck' | 'describeInstanceHealth'>;
  elbv2: ElbV2Adapter;
  /** Loads the group's policy as written (fields validated, no defaults): see parsePolicyInput. */
  policies: Pick<PolicyLoader<PolicyInput>, 'load'>;
  /** CIDRs probed when the policy names none (the function's PROBE_CIDRS). */
  defaultProbeCidrs: readonly string[];
  healthToken: HealthTokenSource;
  healthTokenHeader: string;
  /** The keys that seal a step's state (see state-seal.ts); without them carried passes never count. */
  stateKeys: StateKeySource;
  probe: (options: ProbeOptions) => Promise<ProbeResult>;
  schedule: ScheduleStep;
  metrics: MetricsRecorder;
  log: LogSink;
  /** Epoch milliseconds. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Milliseconds this invocation may still use (the runtime's deadline less a reserve). */
  remainingMs: () => number;
}

/** The dependencies of one step: its log carries the step's own keys. */
export type StepDeps = Omit<LaunchGateDeps, 'log'> & { log: ScopedLog };
