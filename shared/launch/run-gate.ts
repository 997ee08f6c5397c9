import type { HandOver } from '../aws';
import type { AutoScalingAdapter, CompletionRef, GroupDescription } from '../aws/autoscaling';
import { CompletionOutcome, HeartbeatOutcome, LifecycleActionResult } from '../aws/autoscaling';
import type { Ec2Adapter, Ec2Instance } from '../aws/ec2';
import type { ElbAdapter } from '../aws/elb';
import type { ElbV2Adapter } from '../aws/elbv2';
import {
  GroupNotFoundError,
  InstanceNotFoundError,
  isTransientAwsError,
  PolicyInvalidError,
} from '../aws/errors';
import type { PolicyLoader } from '../aws/policy-loader';
import {
  type BaselineObservation,
  boundByHook,
  compactObservation,
  DEFAULT_POLICY,
  type Decision,
  DecisionAction,
  DecisionReason,
  deadlineAt,
  decide,
  distrustState,
  type GateState,
  HOOK_LIMITS,
  type HookTiming,
  heartbeatDue,
  hookTiming,
  initialState,
  isFinal,
  LaunchStage,
  launchStage,
  MAX_DETAIL_LENGTH,
  mergeWithLbSettings,
  needsBaseline,
  nextHeartbeatAt,
  nextProbeAt,
  type Policy,
  PolicyError,
  type PolicyInput,
  type ProbeObservation,
  parseGateState,
  recordBaseline,
  recordHandover,
  recordHeartbeat,
  recordProbe,
  resolvePolicy,
  shouldHandOver,
  WARMED_PENDING_WAIT,
} from '../gate';
import {
  type LogSink,
  MetricName,
  type MetricsRecorder,
  type ScopedLog,
  scopedLog,
  tokenHash,
  Unit,
} from '../observability';
import { checkProbeTarget, type ProbeOptions, type ProbeResult } from '../probe';
import { baselineGroupOf } from './baseline-group';
import {
  CONTINUATION_MARKER,
  CONTINUATION_VERSION,
  type Continuation,
  isContinuation,
  type LbVerifyProgress,
  Phase,
  parseContinuation,
} from './continuation';
import { classifyEvent, EventKind, type LifecycleAction, type PartialAction } from './event';
import type { HealthTokenSource } from './health-token';
import { readLbHealthChecks } from './lb-settings';
import { describeViews, judgeViews, LbVerdict, readLbViews } from './lb-verdict';
import { type StateKeySource, type StateKeys, seal, verifySeal } from './state-seal';

/**
 * Heartbeat timeout assumed when the hook cannot be found: AWS's shortest, so the gate heartbeats early rather
 * than late (see `hookTiming`).
 */
export const FALLBACK_HEARTBEAT_TIMEOUT_SECONDS = HOOK_LIMITS.minHeartbeatTimeoutSeconds;
/** In-service instances probed for a baseline (of the group, or else of its baseline group). */
export const BASELINE_INSTANCES = 3;
/** Time kept back in the LB watch for one round of load-balancer reads and a hand-over. */
export const LB_ROUND_ALLOWANCE_MS = 5_000;
/**
 * How far ahead of this invocation's clock a carried time may lie (clocks of two invocations differ a little).
 * Beyond it the continuation is refused: a start in the future would push the deadline out without bound.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 60_000;

/** Everything the orchestration touches, injected (the handler passes the real ones, tests fakes). */
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
  /** The keys that seal carried state (see state-seal.ts); without them carried passes never count. */
  stateKeys: StateKeySource;
  probe: (options: ProbeOptions) => Promise<ProbeResult>;
  handOver: HandOver<Continuation>;
  metrics: MetricsRecorder;
  log: LogSink;
  /** Epoch milliseconds. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Milliseconds this invocation may still use (the runtime's deadline less a reserve). */
  remainingMs: () => number;
}

/** The dependencies of one invocation: its log carries the invocation's own keys. */
type Deps = Omit<LaunchGateDeps, 'log'> & { log: ScopedLog };

/** What one invocation came to (the handler's return value: plain JSON). */
export type LaunchOutcome =
  | { outcome: 'ignored'; why: string }
  | { outcome: 'invalid'; errors: string[]; completion?: CompletionOutcome }
  | {
      outcome: 'decided';
      decision: Decision;
      completion: CompletionOutcome;
      /** Set when the load balancer's verdict was awaited to the end in this invocation. */
      lb?: { verdict: LbVerdict; detail: string };
    }
  | { outcome: 'handed-over'; phase: Phase }
  | { outcome: 'stopped'; why: string }
  | { outcome: 'lb-verified'; verdict: LbVerdict; detail: string };

/** CompleteLifecycleAction itself failed: the decision is logged and the error rethrown for Lambda's retry. */
export class CompletionFailedError extends Error {
  override readonly name = 'CompletionFailedError';
  constructor(
    readonly decision: Decision,
    readonly context: { group: string; instanceId?: string },
    options: { cause?: unknown } = {},
  ) {
    super(
      `could not complete the lifecycle action of ${context.instanceId ?? `a launch into ${context.group}`} with ${decision.action} (${decision.reason})`,
      options,
    );
  }
}

/**
 * The load balancer disagreed with a CONTINUE, but the instance's group membership could not be read, so it was
 * not marked Unhealthy: logged with the verdict and thrown, so Lambda's retry (and DLQ) see it.
 */
export class MembershipUnverifiedError extends Error {
  override readonly name = 'MembershipUnverifiedError';
  constructor(
    readonly context: { group: string; instanceId: string },
    options: { cause?: unknown } = {},
  ) {
    super(
      `could not verify that ${context.instanceId} belongs to ${context.group}: not marked Unhealthy`,
      options,
    );
  }
}

/**
 * The load balancer disagreed with a CONTINUE and the instance is in the group, but marking it Unhealthy failed:
 * logged with the verdict and thrown, so Lambda's retry resumes the watch and, after the retries, the event lands
 * in the failure queue (with its alarm). Never swallowed: that instance would serve while the LB fails it.
 */
export class LbVerdictNotRecordedError extends Error {
  override readonly name = 'LbVerdictNotRecordedError';
  constructor(
    readonly context: { group: string; instanceId: string },
    options: { cause?: unknown } = {},
  ) {
    super(
      `the load balancer fails ${context.instanceId} of ${context.group}, but it could not be marked Unhealthy`,
      options,
    );
  }
}

/**
 * Gates one launching instance: takes an EventBridge lifecycle event or the gate's own continuation, and either
 * completes the lifecycle action (then watches the load balancer's verdict), or hands over to a new invocation.
 * Never throws for a malformed input (EventBridge would retry it); throws only when completing fails, or when an
 * instance the load balancer failed cannot be checked for group membership, after logging the decision or
 * verdict, so Lambda's retry and DLQ see it.
 */
export async function runLaunchGate(raw: unknown, shared: LaunchGateDeps): Promise<LaunchOutcome> {
  const deps: Deps = { ...shared, log: scopedLog(shared.log) };
  if (isContinuation(raw)) {
    const parsed = parseContinuation(raw);
    if (!parsed.ok) {
      return rejectInvalid(deps, parsed.errors, parsed.action, 'continuation');
    }
    const c = parsed.continuation;
    identify(deps, c.action);
    const sealed = await isSealed(deps, raw as Record<string, unknown>);
    if (!sealed.ok) {
      deps.metrics.record(c.action.group, MetricName.UnsealedContinuations, Unit.Count, 1);
      deps.log.warn('continuation not sealed by this gate: its carried observations do not count', {
        phase: c.phase,
        why: sealed.why,
      });
    }
    const latest = deps.now() + CLOCK_SKEW_ALLOWANCE_MS;
    if (c.phase === Phase.lbVerify) {
      if (c.verify.continuedAt > latest) {
        return rejectInvalid(deps, ['verify.continuedAt: lies in the future'], c.action, 'continuation');
      }
      // Sealed or not, a watch only reads the load balancer and marks an instance it fails, after Auto Scaling
      // confirms the instance is in the group: a forged one can do no more than the load balancer's own check.
      return watchLb(deps, c.action, c.verify);
    }
    let state: GateState;
    try {
      state = parseGateState(c.state);
      if (state.instanceId !== c.action.instanceId) {
        throw new Error(`carried state is for ${state.instanceId}, not ${c.action.instanceId}`);
      }
      if (state.startedAt > latest || state.lastHeartbeatAt > latest) {
        throw new Error('startedAt or lastHeartbeatAt lies in the future');
      }
    } catch (error) {
      return rejectInvalid(deps, [`state: ${message(error)}`], c.action, 'continuation');
    }
    if (!sealed.ok) state = distrustState(state);
    deps.log.info('gate resumed', {
      phase: Phase.gate,
      handovers: state.handovers,
      probes: state.probes,
      sealed: sealed.ok,
    });
    return gateAndVerify(deps, c.action, state);
  }

  const event = classifyEvent(raw);
  switch (event.kind) {
    case EventKind.testNotification:
      deps.log.info('test notification ignored', event.group ? { group: event.group } : {});
      return { outcome: 'ignored', why: 'test notification' };
    case EventKind.notGated:
      deps.log.info('event not gated', { group: event.group, why: event.why });
      return { outcome: 'ignored', why: event.why };
    case EventKind.invalid:
      return rejectInvalid(deps, event.errors, event.action, 'event', event.group);
    case EventKind.warmPool: {
      identify(deps, event.action);
      // The event's Destination alone is no proof: Auto Scaling itself must report the instance as warmed.
      const warmed = await warmPoolState(deps, event.action);
      if (warmed.ok) {
        const decision: Decision = {
          action: DecisionAction.CONTINUE,
          reason: DecisionReason.WARM_POOL,
          detail: `launch into the warm pool (${warmed.state}): continued without probing (gated when it leaves the pool)`,
        };
        const completion = await complete(deps, event.action, decision, event.eventTime);
        return { outcome: 'decided', decision, completion };
      }
      deps.log.warn('warm-pool launch not confirmed by Auto Scaling: gated like any launch', {
        why: warmed.why,
      });
      return startGate(deps, event.action, event.eventTime, 'warm pool (unconfirmed)');
    }
    case EventKind.gate: {
      identify(deps, event.action);
      return startGate(deps, event.action, event.eventTime, event.origin);
    }
  }
}

/** Starts gating a launch: the deadline counts from the event's time. */
function startGate(
  deps: Deps,
  action: LifecycleAction,
  eventTime: number,
  origin: string | undefined,
): Promise<LaunchOutcome> {
  deps.log.info('gate started', { phase: Phase.gate, ...(origin ? { origin } : {}) });
  // An event time ahead of this clock would push the deadline out: the gate counts from now at the latest.
  const startedAt = Math.min(eventTime, deps.now());
  const state = initialState({ instanceId: action.instanceId, startedAt });
  return gateAndVerify(deps, action, state);
}

/**
 * Whether Auto Scaling reports the instance as in this group's warm pool (DescribeAutoScalingInstances). Any
 * doubt (not listed, another group, another state, the call failing) is `ok: false`: the launch is gated.
 */
async function warmPoolState(
  deps: Deps,
  action: LifecycleAction,
): Promise<{ ok: true; state: string } | { ok: false; why: string }> {
  let listed: Awaited<ReturnType<AutoScalingAdapter['describeInstances']>>;
  try {
    listed = await deps.autoscaling.describeInstances([action.instanceId]);
  } catch (error) {
    return { ok: false, why: `DescribeAutoScalingInstances failed: ${message(error)}` };
  }
  const own = listed.find((i) => i.instanceId === action.instanceId);
  if (!own) return { ok: false, why: `${action.instanceId} is not listed by Auto Scaling` };
  if (own.groupName !== action.group) {
    return {
      ok: false,
      why: `${action.instanceId} belongs to ${own.groupName || 'no group'}, not ${action.group}`,
    };
  }
  // Only an instance held by the hook on its way into the pool: any other warm state has no such action.
  if (own.lifecycleState !== WARMED_PENDING_WAIT) {
    return {
      ok: false,
      why: `${action.instanceId} is ${own.lifecycleState || 'in no state'}, not ${WARMED_PENDING_WAIT}`,
    };
  }
  return { ok: true, state: own.lifecycleState };
}

/** Whether a continuation carries a seal one of the gate's state keys verifies. Never throws. */
async function isSealed(
  deps: Deps,
  raw: Record<string, unknown>,
): Promise<{ ok: true } | { ok: false; why: string }> {
  const { seal: given, ...body } = raw;
  if (given === undefined) return { ok: false, why: 'no seal' };
  let keys: StateKeys | undefined;
  try {
    keys = await deps.stateKeys();
  } catch (error) {
    return { ok: false, why: `state keys unreadable: ${message(error)}` };
  }
  if (keys === undefined) return { ok: false, why: 'no state key configured' };
  return verifySeal(body, given, keys) ? { ok: true } : { ok: false, why: 'the seal does not verify' };
}

/** Hands a continuation over to a new invocation, sealed when the gate has a state key. */
async function handOverSealed(deps: Deps, body: Continuation): Promise<void> {
  let keys: StateKeys | undefined;
  try {
    keys = await deps.stateKeys();
  } catch (error) {
    // Unsealed, the next invocation starts counting passes afresh: slower, never more lenient.
    deps.log.warn('state keys unreadable: handing over unsealed', { error: describeError(error) });
  }
  await deps.handOver.handOver(keys ? { ...body, seal: seal(body, keys.seal) } : body);
}

function identify(deps: Deps, action: { group: string; instanceId?: string; token: string }): void {
  deps.log.appendKeys({
    group: action.group,
    ...(action.instanceId !== undefined ? { instanceId: action.instanceId } : {}),
    tokenHash: tokenHash(action.token),
  });
}

/**
 * A malformed input: logged and counted, never thrown (an async retry would only repeat it). When the lifecycle
 * action is still identifiable (group, hook and token: the token alone names the action, so an unusable
 * instance id does not matter) it is abandoned now (fail closed) rather than left to the hook's timeout.
 */
async function rejectInvalid(
  deps: Deps,
  errors: string[],
  action: { group: string; hook: string; token: string; instanceId?: string } | undefined,
  what: 'event' | 'continuation',
  group?: string,
): Promise<LaunchOutcome> {
  const groupName = action?.group ?? group ?? '';
  deps.metrics.record(groupName, MetricName.InvalidEvents, Unit.Count, 1);
  deps.log.error(`malformed ${what} rejected`, {
    ...(groupName ? { group: groupName } : {}),
    errors,
    willAbandon: action !== undefined,
  });
  if (!action) {
    return { outcome: 'invalid', errors };
  }
  identify(deps, action);
  const decision = internalError(`malformed ${what}: ${errors.join('; ')}`);
  const completion = await complete(deps, action, decision, undefined);
  return { outcome: 'invalid', errors, completion };
}

/** The gate phase, then (after a completed CONTINUE) the LB watch. Any unexpected error abandons. */
async function gateAndVerify(deps: Deps, action: LifecycleAction, state: GateState): Promise<LaunchOutcome> {
  let result: GateResult;
  try {
    result = await gate(deps, action, state);
  } catch (error) {
    if (error instanceof CompletionFailedError) throw error;
    deps.log.error('gate failed: abandoning (fail closed)', { error: describeError(error) });
    const decision = internalError(`${errorName(error)}: ${message(error)}`);
    const completion = await complete(deps, action, decision, state.startedAt);
    return { outcome: 'decided', decision, completion };
  }
  if (result.kind !== 'decided') return result.outcome;
  const { decision, completion, policy } = result;
  if (decision.action !== DecisionAction.CONTINUE || policy === undefined) {
    return { outcome: 'decided', decision, completion };
  }
  if (completion === CompletionOutcome.alreadyCompleted) {
    // Someone finished the action first; often this gate itself (a retried call whose first answer was lost, or
    // a duplicate event). If the launch went on, its load-balancer verdict is still owed.
    const stage = launchStage(await lifecycleStateOf(deps, action));
    if (stage !== LaunchStage.continued) return { outcome: 'decided', decision, completion };
  }
  const verified = await watchLb(deps, action, lbWindow(policy, state.startedAt, deps.now()));
  if (verified.outcome === 'lb-verified') {
    return {
      outcome: 'decided',
      decision,
      completion,
      lb: { verdict: verified.verdict, detail: verified.detail },
    };
  }
  return verified;
}

/** The load-balancer watch that follows a CONTINUE at `continuedAt`. */
function lbWindow(policy: Policy, eventTime: number, continuedAt: number): LbVerifyProgress {
  return {
    eventTime,
    continuedAt,
    until: continuedAt + policy.lbVerifySeconds * 1000,
    intervalMs: Math.max(100, Math.round(policy.intervalSeconds * 1000)),
    handovers: 0,
  };
}

/** The instance's lifecycle state as its group lists it (`undefined` when not listed). */
async function lifecycleStateOf(deps: Deps, action: LifecycleAction): Promise<string | undefined> {
  const group = await deps.autoscaling.describeGroup(action.group);
  return group.instances.find((i) => i.instanceId === action.instanceId)?.lifecycleState;
}

/**
 * The launch was already continued when this invocation looked (a retry after a failed watch, a duplicate event,
 * a lost answer): the gate's CONTINUE, if it was the gate's, is owed its load-balancer verdict, so the watch
 * resumes with a full window. A watch of an instance another party continued costs reads only: it marks an
 * instance only when its own load balancer fails it.
 */
async function resumeWatch(
  deps: Deps,
  action: LifecycleAction,
  policy: Policy,
  lifecycleState: string,
  eventTime: number,
): Promise<LaunchOutcome> {
  deps.log.info('launch already continued: resuming the load balancer watch', {
    phase: Phase.lbVerify,
    lifecycleState,
  });
  return watchLb(deps, action, lbWindow(policy, eventTime, deps.now()));
}

type GateResult =
  | { kind: 'decided'; decision: Decision; completion: CompletionOutcome; policy?: Policy }
  | { kind: 'other'; outcome: LaunchOutcome };

/** Everything resolved once per invocation before probing. */
interface Target {
  policy: Policy;
  group: GroupDescription;
  instance: Ec2Instance;
  address: string;
  heartbeatTimeoutSeconds: number;
  headers: Record<string, string>;
}

async function gate(deps: Deps, action: LifecycleAction, carried: GateState): Promise<GateResult> {
  // Set once this invocation has resolved policy, instance, address and hook; until then no probe is made.
  let target: Target | undefined;
  // The best policy known while AWS fails transiently: the group's own once read, else the defaults.
  const known: { policy?: Policy } = {};
  let preparedAt = Number.NEGATIVE_INFINITY;
  // The last transient AWS failure not recovered from yet: named in the detail if the gate ends on it.
  let awsError: unknown;
  let state = carried;
  let baselineAtProbe = -1;
  const probesAtStart = carried.probes;

  for (;;) {
    const bestPolicy = () => target?.policy ?? known.policy ?? DEFAULT_POLICY;
    if (target === undefined && deps.now() >= preparedAt + bestPolicy().intervalSeconds * 1000) {
      preparedAt = deps.now();
      try {
        const prepared = await prepare(deps, action, known);
        if ('ended' in prepared) {
          return { kind: 'other', outcome: await launchEnded(deps, action, prepared.ended) };
        }
        if ('stop' in prepared) {
          deps.log.warn('instance not waiting on a launch hook: nothing to decide', { why: prepared.stop });
          return { kind: 'other', outcome: { outcome: 'stopped', why: prepared.stop } };
        }
        if ('continued' in prepared) {
          const outcome = await resumeWatch(deps, action, bestPolicy(), prepared.continued, state.startedAt);
          return { kind: 'other', outcome };
        }
        if ('decision' in prepared) {
          const completion = await complete(deps, action, prepared.decision, carried.startedAt);
          return { kind: 'decided', decision: prepared.decision, completion };
        }
        target = prepared;
        awsError = undefined;
      } catch (error) {
        // Throttling or a 5xx that outlived the SDK's retries is no verdict on the instance, nor is a listing
        // that lags the launch: wait one probe interval and try again (the deadline still bounds it). Anything
        // else ends the gate (fail closed).
        if (!isTransientAwsError(error) && !(error instanceof LaunchNotWaitingYetError)) throw error;
        awsError = error;
        deps.log.warn(
          error instanceof LaunchNotWaitingYetError
            ? 'instance not yet waiting on the hook: looking again at the next probe interval'
            : 'AWS call failed transiently: retrying at the next probe interval',
          { error: describeError(error), probes: state.probes },
        );
      }
    }
    const policy = bestPolicy();
    const heartbeatTimeoutSeconds = target?.heartbeatTimeoutSeconds ?? FALLBACK_HEARTBEAT_TIMEOUT_SECONDS;
    const now = deps.now();
    const decision = decide({ policy, state, now });
    // A CONTINUE needs at least one passing probe of this invocation: carried history alone (a forged or
    // replayed continuation) never continues an instance; a legitimate state is never decisive when handed over.
    const unprobed = decision.action === DecisionAction.CONTINUE && state.probes === probesAtStart;
    if (isFinal(decision) && !unprobed) {
      const final =
        awsError !== undefined && decision.action === DecisionAction.ABANDON
          ? withAwsError(decision, awsError)
          : decision;
      const completion = await complete(deps, action, final, state.startedAt, state);
      return { kind: 'decided', decision: final, completion, policy };
    }
    if (target && baselineAtProbe !== state.probes && needsBaseline(policy, state, now)) {
      baselineAtProbe = state.probes;
      try {
        state = recordBaseline(state, await takeBaseline(deps, target, action.instanceId));
        continue;
      } catch (error) {
        // A baseline only refines the reason of a wait; without one the canary is judged alone (and a baseline
        // is taken again after the next probe).
        deps.log.warn('baseline failed: judging the canary alone', { error: describeError(error) });
      }
    }
    if (heartbeatDue(state, now, heartbeatTimeoutSeconds)) {
      let beat: HeartbeatOutcome | undefined;
      try {
        beat = await deps.autoscaling.recordHeartbeat(byInstance(action));
      } catch (error) {
        // Retried at the next round only while the hook is sure to outlive it; else abandon now, while the
        // gate can still decide (the hook's DefaultResult is not the gate's to rely on).
        const expiresAt = state.lastHeartbeatAt + heartbeatTimeoutSeconds * 1000;
        if (!isTransientAwsError(error) || now + policy.intervalSeconds * 1000 >= expiresAt) throw error;
        awsError = error;
        deps.log.warn('heartbeat failed transiently: retrying at the next probe interval', {
          error: describeError(error),
          hookExpiresInSeconds: (expiresAt - now) / 1000,
        });
      }
      if (beat === HeartbeatOutcome.noActiveAction) {
        deps.metrics.record(action.group, MetricName.AlreadyCompleted, Unit.Count, 1);
        deps.log.warn('lifecycle action no longer active (completed elsewhere or timed out): stopping', {
          probes: state.probes,
        });
        return { kind: 'other', outcome: { outcome: 'stopped', why: 'no active lifecycle action' } };
      }
      if (beat === HeartbeatOutcome.recorded) {
        if (target) awsError = undefined;
        state = recordHeartbeat(state, now);
        deps.metrics.record(action.group, MetricName.Heartbeats, Unit.Count, 1);
        deps.log.info('heartbeat recorded', { probes: state.probes });
      }
    }
    if (shouldHandOver(deps.remainingMs(), policy)) {
      const next = recordHandover(state);
      // Lambda's own async Invoke of this function, not Step Functions: the state is small JSON, the hand-over is
      // one call the function already has permission for, and no state machine has to be deployed or paid for.
      await handOverSealed(deps, {
        healthgate: CONTINUATION_MARKER,
        v: CONTINUATION_VERSION,
        phase: Phase.gate,
        action,
        state: next,
      });
      deps.metrics.record(action.group, MetricName.Continuations, Unit.Count, 1);
      deps.log.info('handed over to a new invocation', {
        phase: Phase.gate,
        handovers: next.handovers,
        probes: next.probes,
      });
      if (target && state.probes === probesAtStart) {
        deps.log.warn('invocation too short for one probe round: raise the function timeout', {
          remainingMs: deps.remainingMs(),
          intervalSeconds: policy.intervalSeconds,
          timeoutSeconds: policy.timeoutSeconds,
        });
      }
      return { kind: 'other', outcome: { outcome: 'handed-over', phase: Phase.gate } };
    }
    // Unprepared, the next round is the next attempt to prepare: one interval after the last, by the deadline.
    const wakeAt = target
      ? nextProbeAt(state, policy)
      : Math.min(preparedAt + policy.intervalSeconds * 1000, deadlineAt(state, policy));
    const beatAt = nextHeartbeatAt(state, heartbeatTimeoutSeconds);
    const before = deps.now();
    if (beatAt > before && beatAt < wakeAt) {
      // A hook timeout shorter than a probe round: wake for the heartbeat first, so the hook never expires.
      await deps.sleep(beatAt - before);
      continue;
    }
    const wait = wakeAt - before;
    if (wait > 0) await deps.sleep(wait);
    if (target) state = recordProbe(state, await probeCanary(deps, target, action));
  }
}

/** The decision's detail with the AWS failure that kept the gate from probing appended (both kept readable). */
function withAwsError(decision: Decision, error: unknown): Decision {
  const suffix = clip(`; last AWS error: ${message(error)}`, Math.floor(MAX_DETAIL_LENGTH / 2));
  return { ...decision, detail: `${clip(decision.detail, MAX_DETAIL_LENGTH - suffix.length)}${suffix}` };
}

/** EC2 states of an instance that is gone or going: its launch cannot be judged, nor continued. */
const ENDED_INSTANCE_STATES: ReadonlySet<string> = new Set(['shutting-down', 'terminated']);

/**
 * The instance was terminated while it waited (its group scaled in or removed, or an operator): nothing is left
 * to judge, so no decision is recorded. ABANDON is still sent in case the action outlived the instance (fail
 * closed); Auto Scaling usually answers that it already ended.
 */
async function launchEnded(deps: Deps, action: LifecycleAction, why: string): Promise<LaunchOutcome> {
  let completion: CompletionOutcome | undefined;
  try {
    completion = await deps.autoscaling.completeLifecycleAction(
      completionRef(action, LifecycleActionResult.ABANDON),
    );
  } catch (error) {
    deps.log.warn('could not abandon the lifecycle action of an ended instance', {
      error: describeError(error),
    });
  }
  if (completion === CompletionOutcome.alreadyCompleted) {
    deps.metrics.record(action.group, MetricName.AlreadyCompleted, Unit.Count, 1);
  }
  deps.log.warn('instance ended while it waited: nothing to gate', {
    why,
    ...(completion ? { completion } : {}),
  });
  return { outcome: 'stopped', why };
}

/**
 * Resolves policy, instance, address and hook for this invocation, or the decision that ends the gate before
 * any probe (policy invalid, instance not in the group, address not allowed), or `ended` when the instance is
 * already terminated.
 */
async function prepare(
  deps: Deps,
  action: LifecycleAction,
  known: { policy?: Policy },
): Promise<Target | { decision: Decision } | { ended: string } | { continued: string } | { stop: string }> {
  const abandon = (reason: DecisionReason, detail: string) => ({
    decision: { action: DecisionAction.ABANDON, reason, detail: clipDetail(detail) },
  });

  let input: PolicyInput;
  try {
    const loaded = await deps.policies.load(action.group);
    input = loaded.policy ?? {};
  } catch (error) {
    if (error instanceof PolicyInvalidError || error instanceof PolicyError) {
      return abandon(DecisionReason.POLICY_INVALID, message(error));
    }
    throw error;
  }
  if (input.probeCidrs === undefined) input = { ...input, probeCidrs: deps.defaultProbeCidrs };
  known.policy = resolvePolicy(input);
  try {
    // Until the hook is read, its shortest possible global timeout bounds the deadline.
    known.policy = boundByHook(known.policy, hookTiming(undefined)).policy;
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
  }

  let group: GroupDescription;
  let instance: Ec2Instance;
  try {
    group = await deps.autoscaling.describeGroup(action.group);
    instance = await deps.ec2.describeInstance(action.instanceId);
  } catch (error) {
    if (error instanceof GroupNotFoundError || error instanceof InstanceNotFoundError) {
      return abandon(DecisionReason.INSTANCE_NOT_IN_GROUP, message(error));
    }
    throw error;
  }
  const listed = group.instances.some((i) => i.instanceId === action.instanceId);
  const tagged = instance.groupName;
  if (tagged !== undefined ? tagged !== action.group : !listed) {
    return abandon(
      DecisionReason.INSTANCE_NOT_IN_GROUP,
      `instance ${action.instanceId} belongs to ${tagged ?? 'no group'}, not ${action.group}`,
    );
  }
  deps.log.appendKeys({
    launchTemplateVersion: instance.launchTemplateVersion ?? group.launchTemplate?.version,
  });
  if (ENDED_INSTANCE_STATES.has(instance.state)) {
    return { ended: `instance ${action.instanceId} is ${instance.state}: its launch is over` };
  }
  // Only an instance that is itself waiting on a launch hook in this group is judged: the event's token is never
  // trusted to be that instance's (completions name the instance), and an instance in any other state has no
  // launch action for the gate to decide.
  const lifecycleState = group.instances.find((i) => i.instanceId === action.instanceId)?.lifecycleState;
  switch (launchStage(lifecycleState)) {
    case LaunchStage.waiting:
      break;
    case LaunchStage.notYet:
      throw new LaunchNotWaitingYetError(action.instanceId, lifecycleState);
    case LaunchStage.continued:
      return { continued: lifecycleState ?? '' };
    case LaunchStage.ended:
      return { ended: `instance ${action.instanceId} is ${lifecycleState}: its launch is over` };
    case LaunchStage.elsewhere:
      return {
        stop: `instance ${action.instanceId} is ${lifecycleState}, not waiting on a launch hook in ${action.group}`,
      };
  }

  const hooks = await deps.autoscaling.describeLifecycleHooks(action.group);
  const timing = hookTiming(hooks.find((h) => h.name === action.hook));
  reportHookTiming(deps, action, timing);

  let policy: Policy;
  try {
    const lbChecks = await readLbHealthChecks(deps, group);
    const bounded = boundByHook(mergeWithLbSettings(input, lbChecks), timing);
    policy = bounded.policy;
    if (bounded.bounded) {
      deps.log.warn("deadline shortened to decide before the hook's global timeout", {
        deadlineSeconds: policy.deadlineSeconds,
        globalTimeoutSeconds: timing.globalTimeoutSeconds,
      });
    }
  } catch (error) {
    if (error instanceof PolicyError) return abandon(DecisionReason.POLICY_INVALID, message(error));
    throw error;
  }

  const address = instance.privateIp;
  // The address alone first (fixed port and path), so a refusal for the address is told from one for the policy.
  const addressCheck = checkProbeTarget({ address, port: 80, path: '/', allowedCidrs: policy.probeCidrs });
  if (!addressCheck.ok || address === undefined) {
    return abandon(
      DecisionReason.ADDRESS_NOT_ALLOWED,
      address === undefined
        ? `instance ${action.instanceId} has no private address`
        : addressCheck.ok
          ? ''
          : addressCheck.reason,
    );
  }
  const fullCheck = checkProbeTarget({
    address,
    port: policy.port,
    path: policy.path,
    allowedCidrs: policy.probeCidrs,
  });
  if (!fullCheck.ok) {
    return abandon(DecisionReason.POLICY_INVALID, `probe target refused: ${fullCheck.reason}`);
  }

  const token = await deps.healthToken();
  return {
    policy,
    group,
    instance,
    address,
    heartbeatTimeoutSeconds: timing.heartbeatTimeoutSeconds,
    headers: token === undefined ? {} : { [deps.healthTokenHeader]: token },
  };
}

/** An unreadable hook is worked around (AWS's shortest timing); a fail-open hook is reported loudly. */
function reportHookTiming(deps: Deps, action: LifecycleAction, timing: HookTiming): void {
  if (timing.assumed) {
    deps.log.warn('lifecycle hook not found or without a usable heartbeat timeout: assuming the shortest', {
      hook: action.hook,
      assumedHeartbeatTimeoutSeconds: timing.heartbeatTimeoutSeconds,
      assumedGlobalTimeoutSeconds: timing.globalTimeoutSeconds,
    });
  }
  if (timing.failOpen) {
    deps.metrics.record(action.group, MetricName.FailOpenHooks, Unit.Count, 1);
    deps.log.error(
      'lifecycle hook is fail-open (DefaultResult CONTINUE): a launch the gate cannot decide in time goes live unjudged; set DefaultResult ABANDON',
      { hook: action.hook },
    );
  }
}

/** The instance is not (yet) listed as waiting on the hook: a listing lags a launch, so the gate looks again. */
export class LaunchNotWaitingYetError extends Error {
  override readonly name = 'LaunchNotWaitingYetError';
  constructor(
    readonly instanceId: string,
    readonly lifecycleState: string | undefined,
  ) {
    super(
      `instance ${instanceId} is ${lifecycleState ? lifecycleState : 'not listed in the group'}, not yet Pending:Wait`,
    );
  }
}

async function probeCanary(deps: Deps, target: Target, action: LifecycleAction): Promise<ProbeObservation> {
  const result = await probeOnce(deps, target, target.address, action.instanceId);
  const observation = toObservation(result);
  const { group } = action;
  deps.metrics.record(group, MetricName.ProbeLatency, Unit.Milliseconds, result.latencyMs);
  if (result.outcome === 'fail' || result.outcome === 'error') {
    deps.metrics.record(group, MetricName.ProbeFailures, Unit.Count, 1);
  }
  // Check names come from the instance: counted as the state keeps them (a few, clipped, sanitised), so a
  // body listing thousands of checks, or new names on every probe, cannot flood the metrics with dimensions.
  for (const check of compactObservation(observation).failingChecks) {
    deps.metrics.record(group, MetricName.CheckFailures, Unit.Count, 1, { Check: check.name });
  }
  deps.log.info('probe', {
    outcome: result.outcome,
    httpStatus: result.httpStatus,
    latencyMs: result.latencyMs,
    answeredBy: result.instanceId,
    failingChecks: result.failingChecks.map((c) => `${c.name}${c.transient ? '' : ' (non-transient)'}`),
    error: result.error,
  });
  return observation;
}

function probeOnce(deps: Deps, target: Target, address: string, instanceId: string) {
  const { policy } = target;
  return deps.probe({
    address,
    port: policy.port,
    path: policy.path,
    timeoutMs: Math.max(1, Math.min(policy.timeoutSeconds * 1000, deps.remainingMs())),
    expectedInstanceId: instanceId,
    allowedCidrs: policy.probeCidrs,
    headers: target.headers,
    now: deps.now,
  });
}

/**
 * Probes up to {@link BASELINE_INSTANCES} in-service instances of the group (never the canary itself); when the
 * group has none (the first instances of a blue/green group), those of the group its `healthgate:baseline-group`
 * tag names (see {@link baselineGroupOf}). A baseline only refines the reason of a WAIT or ABANDON: `decide` never
 * continues on one.
 */
async function takeBaseline(deps: Deps, target: Target, canaryId: string): Promise<BaselineObservation> {
  const at = deps.now();
  const group = await deps.autoscaling.describeGroup(target.group.name);
  let source = group.name;
  let peers = inServicePeers(group, canaryId);
  const other = peers.length === 0 ? baselineGroupOf(group) : undefined;
  if (other !== undefined) {
    try {
      peers = inServicePeers(await deps.autoscaling.describeGroup(other), canaryId);
      source = other;
    } catch (error) {
      if (!(error instanceof GroupNotFoundError)) throw error;
      deps.log.warn('baseline group not found: no in-service instance to compare with', {
        baselineGroup: other,
      });
    }
  }
  const instances: BaselineObservation['instances'] = [];
  for (const peer of peers) {
    const described = await deps.ec2.describeInstance(peer.instanceId).catch(() => undefined);
    if (described?.privateIp === undefined) continue;
    // Guarded like the canary: a peer outside probeCidrs is simply not probed.
    const result = await probeOnce(deps, target, described.privateIp, peer.instanceId);
    instances.push({
      instanceId: peer.instanceId,
      outcome: result.outcome,
      failingChecks: result.failingChecks.map((c) => c.name),
    });
  }
  deps.log.info('baseline taken', {
    baselineGroup: source,
    instances: instances.map(
      (i: BaselineObservation['instances'][number]) =>
        `${i.instanceId}: ${i.outcome}${i.failingChecks.length ? ` (${i.failingChecks.join(', ')})` : ''}`,
    ),
  });
  return { at, ...(source !== group.name ? { group: source } : {}), instances };
}

function inServicePeers(group: GroupDescription, canaryId: string) {
  return group.instances
    .filter((i) => i.lifecycleState === 'InService' && i.instanceId !== canaryId)
    .slice(0, BASELINE_INSTANCES);
}

/**
 * Completes the lifecycle action once, and records the decision. "Already completed" is logged and counted,
 * never retried; any other failure is logged with the decision and rethrown ({@link CompletionFailedError}).
 */
async function complete(
  deps: Deps,
  action: LifecycleAction | PartialAction,
  decision: Decision,
  startedAt: number | undefined,
  state?: GateState,
): Promise<CompletionOutcome> {
  const result =
    decision.action === DecisionAction.CONTINUE
      ? LifecycleActionResult.CONTINUE
      : LifecycleActionResult.ABANDON;
  const decidedAt = deps.now();
  const fields = {
    result,
    reason: decision.reason,
    detail: decision.detail,
    ...(state ? { probes: state.probes, handovers: state.handovers } : {}),
    ...(startedAt !== undefined ? { timeToDecisionSeconds: (decidedAt - startedAt) / 1000 } : {}),
  };
  let completion: CompletionOutcome;
  try {
    completion = await deps.autoscaling.completeLifecycleAction(completionRef(action, result));
  } catch (error) {
    deps.log.error('decision made but the lifecycle action could not be completed', {
      ...fields,
      error: describeError(error),
    });
    throw new CompletionFailedError(
      decision,
      { group: action.group, ...(action.instanceId !== undefined ? { instanceId: action.instanceId } : {}) },
      { cause: error },
    );
  }
  if (completion === CompletionOutcome.alreadyCompleted) {
    deps.metrics.record(action.group, MetricName.AlreadyCompleted, Unit.Count, 1);
    deps.log.warn('lifecycle action already completed elsewhere: not retried', fields);
    return completion;
  }
  const { group } = action;
  deps.metrics.record(group, MetricName.Decisions, Unit.Count, 1, {
    Result: result,
    Reason: decision.reason,
  });
  deps.metrics.record(
    group,
    result === LifecycleActionResult.CONTINUE ? MetricName.ContinueDecisions : MetricName.AbandonDecisions,
    Unit.Count,
    1,
  );
  if (startedAt !== undefined) {
    deps.metrics.record(
      group,
      MetricName.TimeToDecision,
      Unit.Seconds,
      Math.max(0, decidedAt - startedAt) / 1000,
    );
  }
  if (result === LifecycleActionResult.CONTINUE) {
    deps.log.info('lifecycle action completed', fields);
  } else {
    deps.log.warn('lifecycle action completed', fields);
  }
  return completion;
}

/** The instance's action for the event's hook: what heartbeats name (never the token). */
function byInstance(action: LifecycleAction) {
  return { group: action.group, hook: action.hook, instanceId: action.instanceId };
}

/**
 * What a completion names: the instance the gate judged, so it cannot land on another instance's action. Only an
 * ABANDON of a malformed event whose instance id is unusable names the action by its token.
 */
function completionRef(
  action: LifecycleAction | PartialAction,
  result: LifecycleActionResult,
): CompletionRef {
  const { group, hook } = action;
  if (action.instanceId !== undefined) return { group, hook, instanceId: action.instanceId, result };
  if (result !== LifecycleActionResult.ABANDON) {
    // Unreachable by construction (a CONTINUE follows probes of a named instance); refused, never guessed.
    throw new Error('a CONTINUE must name the instance it judged');
  }
  return { group, hook, token: action.token, result };
}

/**
 * After CONTINUE: Auto Scaling registers the instance with its load balancers only now, so the gate watches
 * their own verdict until `until`. A clear failure, or no healthy verdict in time, marks the instance
 * Unhealthy (Auto Scaling replaces it) and records the deployment as failed (`LB_UNHEALTHY`).
 */
async function watchLb(
  deps: Deps,
  action: LifecycleAction,
  progress: LbVerifyProgress,
): Promise<LaunchOutcome> {
  let group: GroupDescription | undefined;
  let detail = 'load balancer not read yet';
  for (;;) {
    try {
      group ??= await deps.autoscaling.describeGroup(action.group);
      if (group.loadBalancerNames.length === 0 && group.targetGroupArns.length === 0) {
        deps.log.info('no load balancer attached: nothing to verify', { phase: Phase.lbVerify });
        return { outcome: 'lb-verified', verdict: LbVerdict.healthy, detail: 'no load balancer attached' };
      }
      const views = await readLbViews(deps, group, action.instanceId);
      const verdict = judgeViews(views);
      detail = describeViews(views);
      if (verdict === LbVerdict.healthy) {
        deps.log.info('load balancer agrees: instance healthy', {
          phase: Phase.lbVerify,
          lb: detail,
          secondsAfterContinue: (deps.now() - progress.continuedAt) / 1000,
        });
        return { outcome: 'lb-verified', verdict, detail };
      }
      if (verdict === LbVerdict.unhealthy) {
        return lbDisagrees(deps, action, detail);
      }
    } catch (error) {
      if (!isTransientAwsError(error)) {
        // Waiting cannot heal it (access denied, load balancer gone): the CONTINUE is not verified now or later.
        deps.log.error('load balancer read failed (not transient): ending the watch', {
          phase: Phase.lbVerify,
          error: describeError(error),
        });
        return lbDisagrees(deps, action, `load balancer read failed (not transient): ${message(error)}`);
      }
      // A transient failure is no verdict: keep watching; the deadline still bounds the watch.
      detail = `load balancer read failed: ${message(error)}`;
      deps.log.warn('load balancer read failed', { phase: Phase.lbVerify, error: describeError(error) });
    }
    const now = deps.now();
    if (now >= progress.until) {
      const seconds = (progress.until - progress.continuedAt) / 1000;
      return lbDisagrees(deps, action, `not healthy within ${seconds} s: ${detail}`);
    }
    if (deps.remainingMs() < progress.intervalMs + LB_ROUND_ALLOWANCE_MS) {
      const next = { ...progress, handovers: progress.handovers + 1 };
      await handOverSealed(deps, {
        healthgate: CONTINUATION_MARKER,
        v: CONTINUATION_VERSION,
        phase: Phase.lbVerify,
        action,
        verify: next,
      });
      deps.metrics.record(action.group, MetricName.Continuations, Unit.Count, 1);
      deps.log.info('handed over to a new invocation', { phase: Phase.lbVerify, handovers: next.handovers });
      return { outcome: 'handed-over', phase: Phase.lbVerify };
    }
    await deps.sleep(Math.min(progress.intervalMs, progress.until - now));
  }
}

async function lbDisagrees(deps: Deps, action: LifecycleAction, detail: string): Promise<LaunchOutcome> {
  // The instance and group come from a payload (possibly a continuation): only an instance that Auto Scaling
  // itself lists in this group is marked, never one of another group.
  let member: Awaited<ReturnType<AutoScalingAdapter['describeInstances']>>[number] | undefined;
  try {
    const listed = await deps.autoscaling.describeInstances([action.instanceId]);
    member = listed.find((i) => i.instanceId === action.instanceId);
  } catch (error) {
    deps.log.error('load balancer disagrees, but group membership could not be read: not marked Unhealthy', {
      phase: Phase.lbVerify,
      reason: DecisionReason.LB_UNHEALTHY,
      detail: clipDetail(detail),
      error: describeError(error),
    });
    throw new MembershipUnverifiedError(
      { group: action.group, instanceId: action.instanceId },
      { cause: error },
    );
  }
  if (member?.groupName !== action.group) {
    const why = member
      ? `${action.instanceId} belongs to ${member.groupName || 'no group'}, not ${action.group}`
      : `${action.instanceId} is no longer in ${action.group}`;
    deps.log.error('load balancer disagrees, but the instance is not in the group: not marked Unhealthy', {
      phase: Phase.lbVerify,
      why,
      detail: clipDetail(detail),
    });
    return { outcome: 'stopped', why };
  }
  deps.metrics.record(action.group, MetricName.LbDisagreements, Unit.Count, 1);
  try {
    await deps.autoscaling.setInstanceHealth(action.instanceId, 'Unhealthy');
  } catch (error) {
    deps.log.error('load balancer disagrees, but the instance could not be marked Unhealthy: retried', {
      phase: Phase.lbVerify,
      reason: DecisionReason.LB_UNHEALTHY,
      detail: clipDetail(detail),
      error: describeError(error),
    });
    throw new LbVerdictNotRecordedError(
      { group: action.group, instanceId: action.instanceId },
      { cause: error },
    );
  }
  deps.log.error('load balancer disagrees with CONTINUE: instance set Unhealthy, deployment failed', {
    phase: Phase.lbVerify,
    reason: DecisionReason.LB_UNHEALTHY,
    detail: clipDetail(detail),
  });
  return { outcome: 'lb-verified', verdict: LbVerdict.unhealthy, detail: clipDetail(detail) };
}

function toObservation(result: ProbeResult): ProbeObservation {
  const { body: _body, ...observation } = result;
  return observation;
}

function internalError(detail: string): Decision {
  return {
    action: DecisionAction.ABANDON,
    reason: DecisionReason.INTERNAL_ERROR,
    detail: clipDetail(detail),
  };
}

function clipDetail(detail: string): string {
  return clip(detail, MAX_DETAIL_LENGTH);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const cause = error.cause instanceof Error ? { cause: `${error.cause.name}: ${error.cause.message}` } : {};
  return { name: error.name, message: error.message, ...cause };
}
