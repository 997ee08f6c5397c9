/** Turns the sim's timeline entries and the deploy's events into readable timeline lines: pure. */
import type { DeployEvent, RefreshSettings } from '../../shared/deploy';
import { instanceIdOf, type TimelineEntry } from '../timeline';
import { decisionsInLogs } from './gate-log';
import { type RunEntry, Tone } from './types';

type Line = Omit<RunEntry, 'time' | 't'>;

interface GateResult {
  outcome?: string;
  decision?: { action: string; reason: string; detail: string };
  completion?: string;
  lb?: { verdict: string; detail?: string };
  verdict?: string;
  detail?: string;
  phase?: string;
  why?: string;
  errors?: string[];
}

/** The line for one sim timeline entry, or undefined for entries that only add noise (invocation starts). */
export function describeSimEntry(entry: TimelineEntry): Line | undefined {
  const instanceId = entryInstance(entry);
  const base = instanceId ? { instanceId } : {};
  switch (entry.kind) {
    case 'instance':
      return {
        ...base,
        source: 'autoscaling',
        group: entry.groupName,
        text: `${entry.from && entry.from !== entry.to ? `${entry.from} → ` : ''}${entry.to} (${entry.cause})`,
        tone: entry.to === 'InService' ? Tone.good : entry.to.startsWith('Terminat') ? Tone.bad : Tone.info,
      };
    case 'lifecycle-action':
      return {
        ...base,
        source: 'autoscaling',
        text: `lifecycle action completed: ${entry.result} (${entry.cause})`,
        tone: entry.result === 'CONTINUE' ? Tone.good : Tone.bad,
      };
    case 'launch-failed':
      return {
        source: 'autoscaling',
        group: entry.groupName,
        text: `launch failed: ${entry.reason}`,
        tone: Tone.bad,
      };
    case 'instance-refresh':
      return {
        source: 'autoscaling',
        group: entry.groupName,
        text: `instance refresh ${entry.status} ${entry.percentageComplete}%${entry.checkpoint !== undefined ? ` (checkpoint ${entry.checkpoint}%)` : ''}${entry.statusReason ? `: ${oneLine(entry.statusReason)}` : ''}`,
        tone: /Rollback|Failed|Cancel/.test(entry.status)
          ? Tone.bad
          : entry.status === 'Successful'
            ? Tone.good
            : Tone.info,
      };
    case 'lb-health':
      return {
        ...base,
        source: 'lb',
        text: `load balancer ${entry.target}: ${entry.state}${entry.reason ? ` (${entry.reason})` : ''}`,
        tone: entry.state === 'InService' || entry.state === 'healthy' ? Tone.good : Tone.info,
      };
    case 'process-started':
      return {
        ...base,
        source: 'fleet',
        text: `app ${entry.imageId} started on ${entry.privateIp}`,
        tone: Tone.info,
      };
    case 'process-exited':
      return {
        ...base,
        source: 'fleet',
        text: `app exited (${entry.signal ?? `code ${entry.code}`})${entry.lastLine ? `: ${oneLine(entry.lastLine)}` : ''}`,
        tone: entry.code === 0 || entry.signal === 'SIGTERM' ? Tone.info : Tone.bad,
      };
    case 'boot-delayed':
      return { ...base, source: 'fleet', text: `boot delayed by ${entry.delayMs} ms`, tone: Tone.info };
    case 'flap':
      return undefined;
    case 'machine-fault':
      return {
        ...base,
        source: 'fleet',
        text: entry.fault === 'hang' ? 'app frozen (SIGSTOP): it hangs from now on' : 'app killed (SIGKILL)',
        tone: Tone.bad,
      };
    case 'delivery':
      return {
        ...base,
        source: 'gate',
        text: `lifecycle event delivered${entry.copy > 1 ? ' again (duplicate)' : ''}${entry.error ? `, refused: ${entry.error}` : ''}`,
        tone: entry.error ? Tone.bad : Tone.info,
      };
    case 'invocation-start':
      return undefined;
    case 'invocation-end': {
      const record = entry.record;
      if (record.outcome !== 'success') {
        return {
          ...base,
          source: 'gate',
          text: `gate invocation ${record.outcome}: ${record.error?.errorType ?? ''} ${record.error?.errorMessage ?? ''}`.trim(),
          tone: Tone.bad,
        };
      }
      return describeGateResult(record.result as GateResult | undefined, base);
    }
    default:
      return undefined;
  }
}

function describeGateResult(result: GateResult | undefined, base: { instanceId?: string }): Line | undefined {
  switch (result?.outcome) {
    case 'decided': {
      const d = result.decision!;
      const lb = result.lb ? `; load balancer ${result.lb.verdict}` : '';
      return {
        ...base,
        source: 'gate',
        text: `gate ${d.action} ${d.reason}: ${oneLine(d.detail)}${lb}`,
        tone: d.action === 'CONTINUE' ? Tone.good : Tone.bad,
      };
    }
    case 'handed-over':
      return {
        ...base,
        source: 'gate',
        text: `gate still waiting, continues in a new invocation (${result.phase})`,
        tone: Tone.info,
      };
    case 'lb-verified':
      return {
        ...base,
        source: 'gate',
        text: `gate: load balancer ${result.verdict}${result.detail ? ` (${oneLine(result.detail)})` : ''}`,
        tone: result.verdict === 'healthy' ? Tone.good : Tone.bad,
      };
    case 'ignored':
    case 'stopped':
      return {
        ...base,
        source: 'gate',
        text: `gate ${result.outcome}: ${result.why ?? ''}`,
        tone: Tone.info,
      };
    case 'invalid':
      return {
        ...base,
        source: 'gate',
        text: `gate refused its input: ${(result.errors ?? []).join('; ')}`,
        tone: Tone.bad,
      };
    default:
      return undefined;
  }
}

/** The line for one deploy event. */
export function describeDeployEvent(event: DeployEvent): Line {
  const deploy = { source: 'deploy' as const };
  switch (event.type) {
    case 'deploy-started':
      return {
        ...deploy,
        group: event.group,
        text:
          event.strategy === 'rolling'
            ? `deploy ${event.version} into ${event.group} by an instance refresh (capacity ${event.desiredCapacity}, stop after ${event.maxAbandons} abandon(s))`
            : `deploy ${event.version} as ${event.group} (capacity ${event.desiredCapacity}, stop after ${event.maxAbandons} abandon(s))${event.previousGroup ? `; ${event.previousGroup} keeps serving meanwhile` : ''}`,
        tone: Tone.step,
      };
    case 'refresh-started':
      return {
        ...deploy,
        group: event.group,
        text: `${event.purpose === 'restore' ? 'restoring the previous version: ' : ''}instance refresh ${event.refreshId} to launch template version ${event.templateVersion} (${describeSettings(event.settings)})`,
        tone: event.purpose === 'restore' ? Tone.bad : Tone.info,
      };
    case 'refresh-status':
      return {
        ...deploy,
        group: event.group,
        text: `refresh ${event.status} ${event.percentageComplete}%${event.instancesToUpdate !== undefined ? ` (${event.instancesToUpdate} to update)` : ''}${event.statusReason ? `: ${oneLine(event.statusReason)}` : ''}`,
        tone: /Rollback|Failed|Cancel/.test(event.status)
          ? Tone.bad
          : event.status === 'Successful'
            ? Tone.good
            : Tone.info,
      };
    case 'checkpoint':
      return {
        ...deploy,
        group: event.group,
        text: `checkpoint ${event.percentage}%: the refresh pauses; the rollback check judges the replacements so far`,
        tone: Tone.step,
      };
    case 'refresh-rollback':
      return {
        ...deploy,
        group: event.group,
        text: `${event.by === 'deploy' ? 'rolling back' : 'Auto Scaling rolls back'} instance refresh ${event.refreshId}: ${oneLine(event.reason)}`,
        tone: Tone.bad,
      };
    case 'refresh-not-ours':
      return {
        ...deploy,
        group: event.group,
        text: `instance refresh ${event.refreshId} (${event.status}) was not started by this deploy: left alone`,
        tone: Tone.bad,
      };
    case 'launch-template-version':
      return {
        ...deploy,
        text: `launch template ${event.templateId} version ${event.templateVersion}`,
        tone: Tone.info,
      };
    case 'policy-stored':
      return { ...deploy, text: `gate policy stored at ${event.parameter}`, tone: Tone.info };
    case 'group-created':
      return {
        ...deploy,
        group: event.group,
        text: `group ${event.group} created with lifecycle hook ${event.hook}`,
        tone: Tone.info,
      };
    case 'instance-state':
      return {
        ...deploy,
        group: event.group,
        instanceId: event.instanceId,
        text: `observed ${event.from ? `${event.from} → ` : ''}${event.to}`,
        tone: Tone.info,
      };
    case 'launch-abandoned':
      return {
        ...deploy,
        group: event.group,
        text: `abandoned launches of ${event.group}: ${event.abandons}/${event.maxAbandons}`,
        tone: Tone.bad,
      };
    case 'capacity':
      return {
        ...deploy,
        group: event.group,
        text: `progress ${event.group}: ${event.inService}/${event.desired} InService, ${event.lbHealthy}/${event.desired} healthy on the load balancer`,
        tone: event.lbHealthy >= event.desired ? Tone.good : Tone.info,
      };
    case 'scaling-out':
      return {
        ...deploy,
        group: event.group,
        text: `canary passed: ${event.group} scales ${event.from} → ${event.to}`,
        tone: Tone.good,
      };
    case 'verdict':
      return {
        ...deploy,
        group: event.group,
        text: `rollback check of ${event.group}: ${event.verdict} (${event.reasons.map((r) => `${r.reason}${r.instanceId ? ` ${r.instanceId}` : ''}: ${r.detail}`).join('; ')})`,
        tone: event.verdict === 'proceed' ? Tone.good : event.verdict === 'rollback' ? Tone.bad : Tone.info,
      };
    case 'circuit-open':
      return {
        ...deploy,
        group: event.group,
        text: `circuit breaker: ${event.abandons} abandon(s) reached the limit (${event.maxAbandons}); the version is stopped`,
        tone: Tone.bad,
      };
    case 'retiring':
      return {
        ...deploy,
        group: event.group,
        text: `${event.cause === 'retired' ? 'retiring' : 'stopping'} ${event.group}: scaling to 0`,
        tone: event.cause === 'retired' ? Tone.info : Tone.bad,
      };
    case 'group-deleted':
      return {
        ...deploy,
        group: event.group,
        text: `group ${event.group} deleted (${event.cause === 'retired' ? 'retired' : 'the deploy failed'})`,
        tone: event.cause === 'retired' ? Tone.info : Tone.bad,
      };
    case 'cleanup-failed':
      return {
        ...deploy,
        group: event.group,
        text: `could not remove ${event.group}: ${event.error}`,
        tone: Tone.bad,
      };
    case 'set-up-removed':
      return {
        ...deploy,
        group: event.group,
        text: `removed what the failed deploy made: ${event.what === 'policy' ? 'the gate policy' : 'launch template version'} ${event.id}`,
        tone: Tone.info,
      };
    case 'not-ours':
      return {
        ...deploy,
        group: event.group,
        text: `${event.group} was not made by this deploy: left alone`,
        tone: Tone.bad,
      };
    case 'deploy-finished':
      return {
        ...deploy,
        group: event.group,
        text: `deploy ${event.outcome}${event.failure ? ` (${event.failure})` : ''}: ${event.detail}`,
        tone: event.outcome === 'deployed' ? Tone.good : Tone.bad,
      };
  }
}

function describeSettings(s: RefreshSettings): string {
  return [
    `min ${s.minHealthyPercentage}%`,
    ...(s.maxHealthyPercentage !== undefined ? [`max ${s.maxHealthyPercentage}%`] : []),
    ...(s.checkpointPercentages
      ? [`checkpoints ${s.checkpointPercentages.join('/')}% every ${s.checkpointDelaySeconds ?? 3600} s`]
      : []),
    ...(s.bakeTimeSeconds ? [`bake ${s.bakeTimeSeconds} s`] : []),
    ...(s.instanceWarmupSeconds !== undefined ? [`warmup ${s.instanceWarmupSeconds} s`] : []),
    s.autoRollback ? 'auto rollback' : 'no auto rollback',
  ].join(', ');
}

/** The lines of the decisions an invocation logged (a batch of steps may decide several instances). */
export function describeLoggedDecisions(entry: TimelineEntry): Line[] {
  if (entry.kind !== 'invocation-end') return [];
  return decisionsInLogs(entry.record.logs).map((d) => ({
    instanceId: d.instanceId,
    ...(d.group ? { group: d.group } : {}),
    source: 'gate',
    text: `gate ${d.action} ${d.reason}: ${oneLine(d.detail)}`,
    tone: d.action === 'CONTINUE' ? Tone.good : Tone.bad,
  }));
}

/** The instance an entry concerns; the gate's continuation payloads name it as `action.instanceId`. */
export function entryInstance(entry: TimelineEntry): string | undefined {
  const id = instanceIdOf(entry);
  if (id || (entry.kind !== 'invocation-start' && entry.kind !== 'invocation-end')) return id;
  const event = entry.record.event as { action?: { instanceId?: unknown } } | null;
  return typeof event?.action?.instanceId === 'string' ? event.action.instanceId : undefined;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
