/** Scenarios as data: versions with fault profiles, the steps of a rollout, and what each step must come to. */
import type { DeployFailure, DeployOutcome } from '../../shared/deploy';
import type { Verdict } from '../../shared/rollback';
import type { FaultRule } from '../api/faults';

/** How a version's instances misbehave. */
export const FaultProfile = {
  /** A good build. */
  none: 'none',
  /** `SECRET_KEY` is missing from its configuration: the app refuses to boot. */
  missingConfig: 'missing-config',
  /** The build ships migration 0003 but the release step never applied it: /health names it, non-transient. */
  pendingMigration: 'pending-migration',
  /** The home page fails to render (500): /health fails its page check, transient. */
  brokenHome: 'broken-home',
  /** The app starts seconds after the instance runs (a slow cloud-init), then is healthy. */
  slowBoot: 'slow-boot',
  /** /health never answers in time. */
  hangingHealth: 'hanging-health',
  /** The process is frozen and thawed over and over: probes pass and fail by turns. */
  flapping: 'flapping',
  /** A different instance answers on the private IP (a reused address). */
  impostor: 'impostor',
} as const;
export type FaultProfile = (typeof FaultProfile)[keyof typeof FaultProfile];

/** One version of the app, as a launch template version carries it. */
export interface VersionSpec {
  name: string;
  fault: FaultProfile;
  description?: string;
  /** Overrides of the gate policy for this version's group, after the scenario's. */
  policy?: Record<string, unknown>;
}

/** A gate decision a step accepts: action and reason code. */
export interface ExpectedDecision {
  action: 'CONTINUE' | 'ABANDON';
  reason: string;
}

/** What one deploy must come to. */
export interface DeployExpectation {
  outcome: DeployOutcome;
  failure?: DeployFailure;
  /** Every decision the gate takes on the version's instances is one of these; at least one decision is taken. */
  decisions: readonly ExpectedDecision[];
  /** The rollback check's verdict on the new group (the last one the deploy saw). */
  verdict?: Verdict;
  /**
   * Bound on each decision: milliseconds from the instance's lifecycle action start. Generous: boot times vary
   * with the machine's load; the bound catches a gate that waits for its deadline when it should not.
   */
  maxDecisionMs?: number;
}

/** One step of a scenario. */
export type ScenarioStep =
  | {
      /** Deploys `version` blue/green; the group serving before it (if any) is the previous group. */
      kind: 'deploy';
      version: string;
      capacity?: number;
      expect: DeployExpectation;
    }
  | {
      /** Sets the sim's API fault rules (throttling, errors, latency) for the following steps. */
      kind: 'api-faults';
      rules: FaultRule[];
    }
  | {
      /** Makes the shared database unreachable for every instance (serving ones included). */
      kind: 'database-outage';
    };

/** A whole scenario. */
export interface Scenario {
  name: string;
  description: string;
  /** Instances per group; default 3. */
  capacity?: number;
  /** Launched first in a new group, and judged, before the group scales to capacity; default 1. */
  canary?: number;
  versions: readonly VersionSpec[];
  steps: readonly ScenarioStep[];
  /** The shared database: a SQLite file (default) or a PostgreSQL server (needed by `database-outage`). */
  database?: 'sqlite' | 'postgresql';
  /** Overrides of the gate policy every group gets (JSON, as stored in SSM). */
  policy?: Record<string, unknown>;
  /** Real time per configured AWS time (hook timeouts, LB intervals); default the runner's `TIME_SCALE`. */
  timeScale?: number;
  /** Upper bound of the whole run in ms; default 120 000. */
  timeoutMs?: number;
}
