/**
 * The deploy's judgement of one observation of the new group: pure, so the driver's loop is only I/O and each
 * rule is tested on its own.
 */
import { classifyLbView, LbHealth, type LbView } from '../gate';
import { DeployFailure } from './outcome';

/** One instance of the new group and whether every load balancer of the group counts it healthy. */
export interface ObservedInstance {
  instanceId: string;
  lifecycleState: string;
  /** True when every attached load balancer / target group reports it InService / healthy. */
  lbHealthy: boolean;
}

/** What one poll of the new group saw. */
export interface GroupObservation {
  desiredCapacity: number;
  instances: readonly ObservedInstance[];
  /** Launches of this group abandoned by its lifecycle hook so far. */
  abandons: number;
  /** Milliseconds since the deploy started. */
  elapsedMs: number;
}

/** Limits of a deploy. */
export interface ProgressLimits {
  maxAbandons: number;
  timeoutMs: number;
}

/** Where the new group stands. */
export type Progress =
  | { state: 'waiting'; inService: number; lbHealthy: number; detail: string }
  /** Full capacity, every instance healthy on the load balancers: ask the rollback check. */
  | { state: 'capacity'; inService: number; lbHealthy: number; detail: string }
  | { state: 'failed'; failure: DeployFailure; detail: string };

const LAUNCHING = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed']);

/**
 * Judges one observation. The circuit breaker wins over everything: a version abandoned `maxAbandons` times is
 * stopped even if a replacement happens to be passing, since launching it again only repeats the failure.
 *
 * @example
 * assessProgress({ desiredCapacity: 2, instances, abandons: 0, elapsedMs: 4000 }, { maxAbandons: 3, timeoutMs: 60000 });
 */
export function assessProgress(observation: GroupObservation, limits: ProgressLimits): Progress {
  const { desiredCapacity, instances, abandons, elapsedMs } = observation;
  if (abandons >= limits.maxAbandons) {
    return {
      state: 'failed',
      failure: DeployFailure.CIRCUIT_BREAKER,
      detail: `${abandons} launch(es) abandoned by the gate (limit ${limits.maxAbandons}): the version is stopped`,
    };
  }
  const inService = instances.filter((i) => i.lifecycleState === 'InService');
  const lbHealthy = inService.filter((i) => i.lbHealthy).length;
  const launching = instances.filter((i) => LAUNCHING.has(i.lifecycleState)).length;
  const detail = `${inService.length}/${desiredCapacity} InService, ${lbHealthy}/${desiredCapacity} healthy on the load balancer${launching > 0 ? `, ${launching} launching` : ''}${abandons > 0 ? `, ${abandons} abandoned` : ''}`;
  // Checked before capacity: a group at capacity whose verdict stays `hold` must not wait forever either.
  if (elapsedMs >= limits.timeoutMs) {
    return {
      state: 'failed',
      failure: DeployFailure.TIMEOUT,
      detail: `no capacity with a proceed verdict after ${Math.round(elapsedMs / 1000)} s: ${detail}`,
    };
  }
  if (lbHealthy >= desiredCapacity && launching === 0) {
    return { state: 'capacity', inService: inService.length, lbHealthy, detail };
  }
  return { state: 'waiting', inService: inService.length, lbHealthy, detail };
}

/** Whether a load balancer's view counts the instance healthy (read the one way shared/gate reads views). */
export function isLbHealthy(view: LbView): boolean {
  return classifyLbView(view) === LbHealth.healthy;
}
