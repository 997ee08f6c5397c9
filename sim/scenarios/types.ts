/**
 * Scenarios as data: the versions of an app (its program, environment, configuration and the faults its machine
 * plays), the steps of a rollout, and what each step must come to. Built-in scenarios and users' scenario files
 * are the same model (schema.ts validates a file into it).
 */
import type { RefreshStatus } from '../../shared/aws';
import type {
  DeployFailure,
  DeployOutcome,
  DeployStrategy,
  RollingPreferenceOverrides,
} from '../../shared/deploy';
import type { Verdict } from '../../shared/rollback';
import type { FaultRule } from '../api/faults';
import type { ExtraMigration } from '../fleet/migrations';

/**
 * Faults the local machine plays on a version's instances from outside their process, so they apply to any
 * program (the UserData knobs of sim/fleet/user-data.ts).
 */
export interface MachineFaultSpec {
  /** The program starts this many ms after its instance runs (a slow cloud-init). */
  slowStartMs?: number;
  /** The process is frozen this many ms after it starts, for good: it hangs. */
  hangAfterMs?: number;
  /** The process is killed this many ms after it starts. */
  killAfterMs?: number;
  /** The process is frozen and thawed every this many ms: probes pass and fail by turns. */
  flapPeriodMs?: number;
  /**
   * The instance's network admits the gate but not the load balancer (its security group lacks the load
   * balancer's): the gate CONTINUEs it, the load balancer's checks time out.
   */
  lbUnreachable?: boolean;
  /** Nothing answers on the instance's port: every connection is refused. */
  refuseConnections?: boolean;
  /** The instance's metadata names another instance, so a different instance answers on the IP. */
  impostor?: boolean;
}

/** The configuration a version carries, relative to the scenario's. */
export interface VersionConfiguration {
  /** Keys added or changed. */
  set?: Readonly<Record<string, string>>;
  /** Keys the version lacks (a release that forgot one). */
  missing?: readonly string[];
}

/** One version of the app, as a launch template version carries it. */
export interface VersionSpec {
  name: string;
  description?: string;
  /** The shell command each instance runs (any language); default the demo app (`healthgate app`). */
  command?: string;
  /** Extra environment of its instances (the demo app's own knobs included, e.g. `FAULT_BROKEN_HOME`). */
  environment?: Readonly<Record<string, string>>;
  configuration?: VersionConfiguration;
  /** Demo app only: migrations this build ships that the release step never applied. */
  unappliedMigrations?: readonly ExtraMigration[];
  faults?: MachineFaultSpec;
  /** Overrides of the gate policy for this version's group, after the scenario's. */
  policy?: Readonly<Record<string, unknown>>;
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
  /**
   * The lowest serving capacity (instances InService and healthy on the load balancer) allowed while the step
   * runs: of the group refreshed (rolling) or of the group serving before it (blue/green).
   */
  minServingCapacity?: number;
  /** Rolling: how the deploy's instance refresh must end (`Successful`, `RollbackSuccessful`, …). */
  refreshStatus?: RefreshStatus;
}

/** The kinds of step, a closed set. */
export const StepKind = {
  deploy: 'deploy',
  apiFaults: 'api-faults',
  databaseOutage: 'database-outage',
} as const;
export type StepKind = (typeof StepKind)[keyof typeof StepKind];

/** One step of a scenario. */
export type ScenarioStep =
  | {
      /**
       * Deploys `version`: blue/green (the default: the group serving before it, if any, is the previous group) or
       * rolling (an instance refresh of the serving group).
       */
      kind: typeof StepKind.deploy;
      version: string;
      capacity?: number;
      strategy?: DeployStrategy;
      /** Rolling: the refresh's preferences over the scenario's defaults. */
      refresh?: RollingPreferenceOverrides;
      /**
       * The deploy runs where it cannot reach the instances (outside their VPC, say): its rollback check reads every
       * `/health` as unknown, so its verdict holds. The gate, inside, is not affected.
       */
      checkFromOutside?: boolean;
      expect: DeployExpectation;
    }
  | {
      /** Sets the sim's API fault rules (throttling, errors, latency) for the following steps. */
      kind: typeof StepKind.apiFaults;
      rules: FaultRule[];
    }
  | {
      /** Makes the shared database unreachable for every instance (serving ones included). */
      kind: typeof StepKind.databaseOutage;
    };

/** The shared database of the demo app. */
export const ScenarioDatabase = { sqlite: 'sqlite', postgresql: 'postgresql' } as const;
export type ScenarioDatabase = (typeof ScenarioDatabase)[keyof typeof ScenarioDatabase];

/** A whole scenario. */
export interface Scenario {
  name: string;
  description: string;
  /** Instances per group; default 3. */
  capacity?: number;
  /** Launched first in a new group, and judged, before the group scales to capacity; default 1. */
  canary?: number;
  versions: readonly VersionSpec[];
  /** In order; a file's `baseline` is its first deploy step. */
  steps: readonly ScenarioStep[];
  /** Configuration every version carries (SSM parameters and environment), before its own changes. */
  configuration?: Readonly<Record<string, string>>;
  /** The shared database: a SQLite file (default) or a PostgreSQL server (needed by `database-outage`). */
  database?: ScenarioDatabase;
  /** Overrides of the gate policy every group gets (JSON, as stored in SSM). */
  policy?: Readonly<Record<string, unknown>>;
  /** Real time per configured AWS time (hook timeouts, LB intervals); default the runner's `TIME_SCALE`. */
  timeScale?: number;
  /** Upper bound of the whole run in ms; default 120 000. */
  timeoutMs?: number;
}
