/** The record of one scenario run: what the JSON report holds and the HTML report draws. */
import type { DeployFailure, DeployOutcome, DeployStrategy } from '../../shared/deploy';
import type { RefreshTrack } from './refresh-tracks';

/** How an entry reads on the timeline. */
export const Tone = { info: 'info', good: 'good', bad: 'bad', step: 'step' } as const;
export type Tone = (typeof Tone)[keyof typeof Tone];

/** One line of the timeline. */
export interface RunEntry {
  /** Epoch ms. */
  time: number;
  /** Ms since the run started. */
  t: number;
  source: 'deploy' | 'autoscaling' | 'lb' | 'fleet' | 'gate' | 'scenario';
  group?: string;
  instanceId?: string;
  text: string;
  tone: Tone;
}

/** A lifecycle state held from `from` to `to` (ms since start; `to` absent while it lasts). */
export interface StateSpan {
  state: string;
  from: number;
  to?: number;
}

/** A gate decision on one instance. */
export interface DecisionMark {
  t: number;
  action: string;
  reason: string;
  detail: string;
  /** Ms from the instance's lifecycle action start to the decision. */
  afterMs?: number;
}

/** One instance across the run. */
export interface InstanceTrack {
  instanceId: string;
  group: string;
  version: string;
  privateIp?: string;
  states: StateSpan[];
  decisions: DecisionMark[];
  /** Load balancer states seen (ms since start). */
  lb: { t: number; state: string }[];
}

/** One expected outcome and what happened. */
export interface ExpectationResult {
  step: number;
  what: string;
  expected: string;
  actual: string;
  ok: boolean;
}

/** One deploy's result, as the report keeps it. */
export interface DeploySummary {
  step: number;
  version: string;
  group: string;
  /** Absent: blue/green. */
  strategy?: DeployStrategy;
  previousGroup?: string;
  outcome: DeployOutcome;
  failure?: DeployFailure;
  detail: string;
  abandons: number;
  verdict?: string;
  verdictReasons?: string[];
  startedT: number;
  endedT: number;
}

/** The whole run. */
export interface ScenarioReport {
  scenario: string;
  description: string;
  startedAt: string;
  durationMs: number;
  passed: boolean;
  expectations: ExpectationResult[];
  deploys: DeploySummary[];
  instances: InstanceTrack[];
  /** The instance refreshes of rolling deploys, beside the instances (absent or empty: none). */
  refreshes?: RefreshTrack[];
  entries: RunEntry[];
  /** Set when the run itself failed (not an expectation). */
  error?: string;
}
