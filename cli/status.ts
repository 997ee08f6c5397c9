/**
 * The live status of a rollout, from the deploy driver's events: elapsed time, the current group's instances
 * (pending, held in Pending:Wait, InService, abandoned by the gate) and the current step. Pure: the same events
 * drive `rehearse` and `deploy`.
 */
import type { DeployEvent } from '../shared/deploy';

/** One moment of a rollout. */
export interface StatusSnapshot {
  elapsedMs: number;
  group?: string;
  pending: number;
  wait: number;
  inService: number;
  abandoned: number;
  step: string;
}

const WAITING = new Set(['Pending:Wait', 'Pending:Proceed']);

/** Follows the events of one deploy after another; the counts are the current deploy's group's. */
export class StatusTracker {
  private group: string | undefined;
  private readonly states = new Map<string, string>();
  private abandoned = 0;
  private step = 'starting';

  /** A step said in words (a scenario's `step 2: deploy v2`). */
  setStep(text: string): void {
    this.step = text;
  }

  apply(event: DeployEvent): void {
    switch (event.type) {
      case 'deploy-started':
        this.group = event.group;
        this.states.clear();
        this.abandoned = 0;
        this.step =
          event.strategy === 'rolling'
            ? `rolling ${event.version} into ${event.group}`
            : `deploying ${event.version} as ${event.group}${event.previousGroup ? ` beside ${event.previousGroup}` : ''}`;
        return;
      case 'refresh-status':
        this.step = `instance refresh ${event.status} ${event.percentageComplete}%`;
        return;
      case 'checkpoint':
        this.step = `checkpoint ${event.percentage}%: judging the replacements so far`;
        return;
      case 'refresh-rollback':
        this.step = `rolling back the instance refresh`;
        return;
      case 'group-created':
        this.step = `${event.group} created: the gate judges each launch`;
        return;
      case 'instance-state':
        if (event.group === this.group) this.states.set(event.instanceId, event.to);
        return;
      case 'launch-abandoned':
        if (event.group === this.group) this.abandoned = event.abandons;
        return;
      case 'scaling-out':
        this.step = `canary passed: ${event.group} scales ${event.from} → ${event.to}`;
        return;
      case 'capacity':
        return;
      case 'verdict':
        this.step = `rollback check of ${event.group}: ${event.verdict}`;
        return;
      case 'circuit-open':
        this.step = `circuit breaker: ${event.abandons} abandon(s), the version is stopped`;
        return;
      case 'retiring':
        this.step = `${event.cause === 'retired' ? 'retiring' : 'removing'} ${event.group}`;
        return;
      case 'deploy-finished':
        this.step = `${event.group}: ${event.outcome}${event.failure ? ` (${event.failure})` : ''}`;
        return;
      default:
        return;
    }
  }

  snapshot(elapsedMs: number): StatusSnapshot {
    const states = [...this.states.values()];
    return {
      elapsedMs,
      ...(this.group ? { group: this.group } : {}),
      pending: states.filter((s) => s === 'Pending').length,
      wait: states.filter((s) => WAITING.has(s)).length,
      inService: states.filter((s) => s === 'InService').length,
      abandoned: this.abandoned,
      step: this.step,
    };
  }
}

/** The status as one line, cut to `width` when given. */
export function formatStatus(s: StatusSnapshot, width?: number): string {
  const line = `${(s.elapsedMs / 1000).toFixed(1).padStart(6)}s  ${s.group ?? '-'}  pending ${s.pending} · Pending:Wait ${s.wait} · InService ${s.inService} · abandoned ${s.abandoned}  ${s.step}`;
  return width !== undefined && line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line;
}
