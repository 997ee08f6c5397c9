/** What a deploy reports as it goes: typed events for a live timeline and a report. */
import type { Verdict, VerdictReason } from '../rollback';
import type { DeployFailure, DeployOutcome, DeployStrategy } from './outcome';

/** One summarised finding of a rollback check. */
export interface VerdictSummary {
  reason: VerdictReason;
  instanceId?: string;
  detail: string;
}

/** Why a group is deleted. */
export const DeletionCause = {
  /** The old group, after the new one took over. */
  retired: 'retired',
  /** The new group, after the deploy failed. */
  failed: 'failed',
} as const;
export type DeletionCause = (typeof DeletionCause)[keyof typeof DeletionCause];

/** The parts of a deploy's set-up other than its group. */
export const SetUpPart = {
  launchTemplateVersion: 'launch-template-version',
  policy: 'policy',
} as const;
export type SetUpPart = (typeof SetUpPart)[keyof typeof SetUpPart];

/** Who began the rollback of an instance refresh. */
export const RollbackBy = {
  /** This deploy asked for it (RollbackInstanceRefresh). */
  deploy: 'deploy',
  /** Auto Scaling did, its refresh having failed with AutoRollback set. */
  autoRollback: 'auto-rollback',
} as const;
export type RollbackBy = (typeof RollbackBy)[keyof typeof RollbackBy];

/** The preferences a rolling deploy started its instance refresh with, as its timeline shows them. */
export interface RefreshSettings {
  minHealthyPercentage: number;
  maxHealthyPercentage?: number;
  checkpointPercentages?: number[];
  checkpointDelaySeconds?: number;
  bakeTimeSeconds?: number;
  instanceWarmupSeconds?: number;
  autoRollback: boolean;
}

/** Progress of one deploy, in the order it happens. `time` is epoch milliseconds. */
export type DeployEvent =
  | {
      type: 'deploy-started';
      time: number;
      group: string;
      previousGroup?: string;
      version: string;
      desiredCapacity: number;
      maxAbandons: number;
      /** Absent: blue/green. */
      strategy?: DeployStrategy;
    }
  /** Rolling: the instance refresh began (this deploy's own; its id is what it may later roll back). */
  | {
      type: 'refresh-started';
      time: number;
      group: string;
      refreshId: string;
      templateVersion: string;
      settings: RefreshSettings;
      /** `restore`: a refresh back to the previous version, after one that could no longer be rolled back. */
      purpose: 'deploy' | 'restore';
    }
  /** Rolling: the refresh's status, progress or reason changed. */
  | {
      type: 'refresh-status';
      time: number;
      group: string;
      refreshId: string;
      status: string;
      percentageComplete: number;
      instancesToUpdate?: number;
      statusReason?: string;
    }
  /** Rolling: the refresh reached a checkpoint and pauses; the rollback check judges the replacements so far. */
  | { type: 'checkpoint'; time: number; group: string; refreshId: string; percentage: number }
  /** Rolling: the refresh is being rolled back. */
  | {
      type: 'refresh-rollback';
      time: number;
      group: string;
      refreshId: string;
      by: RollbackBy;
      reason: string;
    }
  /** Rolling: the group's active refresh is not this deploy's: it is left alone. */
  | { type: 'refresh-not-ours'; time: number; group: string; refreshId: string; status: string }
  | { type: 'launch-template-version'; time: number; templateId: string; templateVersion: string }
  | { type: 'policy-stored'; time: number; parameter: string }
  | { type: 'group-created'; time: number; group: string; hook: string }
  | {
      type: 'instance-state';
      time: number;
      group: string;
      instanceId: string;
      from?: string;
      to: string;
      /** Rolling: the launch template version the instance runs (old and new versions share the group). */
      launchTemplateVersion?: string;
    }
  | { type: 'launch-abandoned'; time: number; group: string; abandons: number; maxAbandons: number }
  | {
      type: 'capacity';
      time: number;
      group: string;
      desired: number;
      inService: number;
      lbHealthy: number;
    }
  | {
      type: 'verdict';
      time: number;
      group: string;
      verdict: Verdict;
      reasons: VerdictSummary[];
    }
  /** The canary stage passed: the group scales to its full capacity. */
  | { type: 'scaling-out'; time: number; group: string; from: number; to: number }
  | { type: 'circuit-open'; time: number; group: string; abandons: number; maxAbandons: number }
  /** The group scales to zero before it is deleted (`retired`: the old group; `failed`: the new one). */
  | { type: 'retiring'; time: number; group: string; cause: DeletionCause }
  | { type: 'group-deleted'; time: number; group: string; cause: DeletionCause }
  | { type: 'cleanup-failed'; time: number; group: string; error: string }
  /** What the failed deploy made besides its group, removed: the launch template version, the group's policy. */
  | { type: 'set-up-removed'; time: number; group: string; what: SetUpPart; id: string }
  /** The group of this name was not made by this deploy (its deploy-id tag differs): it is left alone. */
  | { type: 'not-ours'; time: number; group: string }
  | {
      type: 'deploy-finished';
      time: number;
      group: string;
      outcome: DeployOutcome;
      failure?: DeployFailure;
      detail: string;
    };

/** The `type` of a {@link DeployEvent}. */
export type DeployEventType = DeployEvent['type'];
