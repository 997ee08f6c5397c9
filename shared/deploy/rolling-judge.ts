/**
 * The rolling deploy's judgement of one look at its instance refresh: pure, so the driver's loop is only I/O and
 * each rule is tested on its own. The rules, in order: an ending already asked for is followed to the end; a
 * refresh that ended on its own is read; a live one is stopped by the circuit breaker, by Auto Scaling taking a
 * new instance out of service on a health check, by a `rollback` verdict, by going past a checkpoint without a
 * `proceed`, or by the deploy's timeout; a finished one is deployed only on a `proceed` judged after it finished.
 */
import { RefreshStatus } from '../aws/instance-refresh';
import type { Verdict } from '../rollback';
import { DeployFailure } from './outcome';

/** One new-version instance, as the driver saw it. */
export interface RollingInstance {
  instanceId: string;
  lifecycleState: string;
  /** Healthy on every load balancer of the group (registration over). */
  lbHealthy: boolean;
}

/** One look at the refresh and the group. */
export interface RollingObservation {
  /** Milliseconds since the deploy started. */
  elapsedMs: number;
  status: string;
  percentageComplete: number;
  statusReason?: string;
  /** Whether the refresh carries rollback details (a rollback began, by anyone). */
  rollingBack: boolean;
  /** Instances launched from the version being rolled out. */
  newInstances: readonly RollingInstance[];
  /** Every InService instance of the group is healthy on its load balancers (none is still being registered). */
  settled: boolean;
  /** Launches the gate abandoned since the refresh started. */
  abandons: number;
  /** Instances Auto Scaling took out of service on a health check since the refresh started (the latest first). */
  unhealthy: readonly string[];
  /** The last rollback check, when one ran, and when it started. */
  verdict?: { verdict: Verdict; at: number; detail: string };
  now: number;
}

/** What the driver remembers between looks (returned anew by every judgement). */
export interface RollingMemory {
  /** Index of the next checkpoint to reach, in `checkpoints`. */
  nextCheckpoint: number;
  /** The checkpoint the refresh waits at: when it was seen, the new instances then, and a `proceed` since. */
  checkpoint?: { percentage: number; since: number; seen: readonly string[]; proceed: boolean };
  /** When the refresh was first seen Baking or Successful: a deploy is judged on a check made from then on. */
  finishedSince?: number;
  /** The ending the deploy asked for: followed until the refresh has rolled back. */
  stopping?: { failure: DeployFailure; detail: string };
}

/** Limits and the refresh's own settings. */
export interface RollingLimits {
  maxAbandons: number;
  timeoutMs: number;
  /** The checkpoints the refresh was started with, the last one (100) included; none: no pause. */
  checkpoints: readonly number[];
  /** After the refresh succeeded, how long a `hold` may last before the deploy gives up on it. */
  verdictSettleMs: number;
}

/** The driver's next move. */
export type RollingStep =
  /** Look again; `judge`: run the rollback check first. `checkpoint`: one was just reached. */
  | { kind: 'wait'; judge: boolean; checkpoint?: number }
  /** Roll back this deploy's refresh (RollbackInstanceRefresh), then follow the rollback. */
  | { kind: 'stop'; failure: DeployFailure; detail: string }
  /** The refresh can no longer be rolled back: start one back to the previous version. */
  | { kind: 'restore'; failure: DeployFailure; detail: string }
  /** The version serves: the refresh succeeded and the group was judged `proceed` after it. */
  | { kind: 'deployed'; detail: string }
  /** The deploy is over without the version: the old one serves (or, `restored: false`, it could not be made to). */
  | { kind: 'rolled-back'; failure: DeployFailure; detail: string };

const LAUNCHING = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed']);

/**
 * The next move and what to remember.
 *
 * @example
 * const { step, memory: next } = judgeRolling(observation, memory, limits);
 * if (step.kind === 'stop') await rollBack(step);
 */
export function judgeRolling(
  obs: RollingObservation,
  memory: RollingMemory,
  limits: RollingLimits,
): { step: RollingStep; memory: RollingMemory } {
  const same = (step: RollingStep, changes: Partial<RollingMemory> = {}) => ({
    step,
    memory: { ...memory, ...changes },
  });
  const reason = obs.statusReason ? `: ${obs.statusReason}` : '';

  if (memory.stopping) {
    const { failure, detail } = memory.stopping;
    switch (obs.status) {
      case RefreshStatus.RollbackSuccessful:
        return same({ kind: 'rolled-back', failure, detail });
      case RefreshStatus.RollbackFailed:
        return same({
          kind: 'rolled-back',
          failure: DeployFailure.AWS_ERROR,
          detail: `${detail}; the rollback failed${reason}`,
        });
      case RefreshStatus.Failed:
      case RefreshStatus.Cancelled:
      case RefreshStatus.Successful:
        return same({
          kind: 'restore',
          failure,
          detail: `${detail}; the refresh ended ${obs.status}${reason}`,
        });
      default:
        return same({ kind: 'wait', judge: false });
    }
  }

  switch (obs.status) {
    case RefreshStatus.RollbackInProgress: {
      const detail = `Auto Scaling failed the instance refresh and rolls it back${reason}`;
      return same(
        { kind: 'wait', judge: false },
        { stopping: { failure: refreshFailure(obs, limits), detail } },
      );
    }
    case RefreshStatus.RollbackSuccessful:
      return same({
        kind: 'rolled-back',
        failure: refreshFailure(obs, limits),
        detail: `the instance refresh was rolled back${reason}`,
      });
    case RefreshStatus.RollbackFailed:
      return same({
        kind: 'rolled-back',
        failure: DeployFailure.AWS_ERROR,
        detail: `the instance refresh's rollback failed${reason}`,
      });
    case RefreshStatus.Failed:
      return same({
        kind: 'restore',
        failure: refreshFailure(obs, limits),
        detail: `the instance refresh failed${reason}`,
      });
    case RefreshStatus.Cancelling:
    case RefreshStatus.Cancelled: {
      // Once cancelled, the replacements made so far stay: the previous version is restored by a new refresh.
      const detail = `the instance refresh was cancelled from outside${reason}`;
      return same(
        obs.status === RefreshStatus.Cancelled
          ? { kind: 'restore', failure: DeployFailure.INTERRUPTED, detail }
          : { kind: 'wait', judge: false },
        { stopping: { failure: DeployFailure.INTERRUPTED, detail } },
      );
    }
    default:
  }

  if (obs.status === RefreshStatus.Successful) {
    const since = memory.finishedSince ?? obs.now;
    const judged = obs.verdict && obs.verdict.at >= since ? obs.verdict : undefined;
    if (judged?.verdict === 'proceed') {
      return same({ kind: 'deployed', detail: judged.detail }, { finishedSince: since });
    }
    if (judged?.verdict === 'rollback') {
      return same(
        {
          kind: 'restore',
          failure: DeployFailure.VERDICT_ROLLBACK,
          detail: `rollback check after the refresh: ${judged.detail}`,
        },
        { finishedSince: since },
      );
    }
    if (obs.now - since >= limits.verdictSettleMs) {
      return same(
        {
          kind: 'restore',
          failure: DeployFailure.VERDICT_HOLD,
          detail: `the refresh finished, but the rollback check still says ${judged?.verdict ?? 'nothing'}${judged ? `: ${judged.detail}` : ''}`,
        },
        { finishedSince: since },
      );
    }
    return same({ kind: 'wait', judge: true }, { finishedSince: since });
  }

  // Live: Pending, InProgress or Baking.
  const stop = (failure: DeployFailure, detail: string) =>
    same({ kind: 'stop', failure, detail }, { stopping: { failure, detail } });
  if (obs.abandons >= limits.maxAbandons) {
    return stop(
      DeployFailure.CIRCUIT_BREAKER,
      `${obs.abandons} launch(es) abandoned by the gate (limit ${limits.maxAbandons}): the version is stopped`,
    );
  }
  if (obs.unhealthy.length > 0) {
    return stop(
      DeployFailure.VERDICT_ROLLBACK,
      `INSTANCE_UNHEALTHY ${obs.unhealthy[0]}: Auto Scaling took it out of service on a health check (the gate marks an instance the load balancer rejects Unhealthy)`,
    );
  }
  if (obs.verdict?.verdict === 'rollback') {
    return stop(DeployFailure.VERDICT_ROLLBACK, `rollback check: ${obs.verdict.detail}`);
  }
  if (obs.elapsedMs >= limits.timeoutMs) {
    return stop(
      DeployFailure.TIMEOUT,
      `the refresh did not finish with a proceed verdict within ${Math.round(limits.timeoutMs / 1000)} s (${obs.percentageComplete}% complete)`,
    );
  }

  let next = memory.nextCheckpoint;
  let checkpoint = memory.checkpoint;
  let reached: number | undefined;
  const pauses = limits.checkpoints.slice(0, -1);
  while (next < pauses.length && obs.percentageComplete >= pauses[next]!) {
    reached = pauses[next];
    next += 1;
  }
  const ids = obs.newInstances.map((i) => i.instanceId);
  if (reached !== undefined) checkpoint = { percentage: reached, since: obs.now, seen: ids, proceed: false };
  if (
    checkpoint &&
    !checkpoint.proceed &&
    obs.verdict?.verdict === 'proceed' &&
    obs.verdict.at >= checkpoint.since
  ) {
    checkpoint = { ...checkpoint, proceed: true };
  }
  if (checkpoint) {
    const launchedSince = obs.newInstances.filter(
      (i) => !checkpoint!.seen.includes(i.instanceId) && LAUNCHING.has(i.lifecycleState),
    );
    if (launchedSince.length > 0) {
      if (!checkpoint.proceed) {
        return stop(
          DeployFailure.VERDICT_HOLD,
          `the refresh went past its ${checkpoint.percentage}% checkpoint (launching ${launchedSince[0]!.instanceId}) while the rollback check said ${obs.verdict?.verdict ?? 'nothing'}${obs.verdict ? `: ${obs.verdict.detail}` : ''}`,
        );
      }
      checkpoint = undefined;
    }
  }
  const finishedSince =
    obs.status === RefreshStatus.Baking ? (memory.finishedSince ?? obs.now) : memory.finishedSince;
  // The group is judged where the refresh waits for a verdict (a checkpoint, the bake), and only while no instance
  // is being registered: during a classic load balancer's first checks it already says OutOfService, which the
  // check reads as a failure. Between those, an instance the load balancer rejects is taken out of service by the
  // gate, and that (`unhealthy` above) stops the deploy.
  const judge =
    obs.settled && (obs.status === RefreshStatus.Baking || (checkpoint !== undefined && !checkpoint.proceed));
  return {
    step: { kind: 'wait', judge, ...(reached !== undefined ? { checkpoint: reached } : {}) },
    memory: {
      ...memory,
      nextCheckpoint: next,
      ...(checkpoint ? { checkpoint } : { checkpoint: undefined }),
      ...(finishedSince !== undefined ? { finishedSince } : {}),
    },
  };
}

/** Why Auto Scaling's own failure of the refresh ended the deploy: the gate's abandons when there were any. */
function refreshFailure(obs: RollingObservation, limits: RollingLimits): DeployFailure {
  return obs.abandons >= limits.maxAbandons ? DeployFailure.CIRCUIT_BREAKER : DeployFailure.REFRESH_FAILED;
}
