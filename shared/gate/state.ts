/**
 * What the gate carries from one invocation to the next for one lifecycle action: plain JSON, bounded in size
 * (a bounded history of compacted observations), so it fits an async invocation's payload with room to spare.
 */
// A namespace import: bundlers keep only the parts used (the named `z` object would pull in all of zod).
import * as z from 'zod';
import { type BaselineObservation, baselineSchema, compactBaseline } from './baseline';
import { GateStateError } from './errors';
import { type FailingCheck, type ProbeObservation, ProbeOutcome } from './observation';
import { POLICY_LIMITS } from './policy';
import { clip, sanitise, truncate } from './text';

/** Version of the carried state's shape. */
export const GATE_STATE_VERSION = 1;

/**
 * Observations kept: the largest healthy threshold a policy may set, so a policy reloaded between invocations
 * with a higher threshold still finds enough history.
 */
export const HISTORY_LIMIT: number = POLICY_LIMITS.maxHealthyThreshold;

/** Bounds of the latest observation (strings in characters). */
export const OBSERVATION_LIMITS = {
  failingChecks: 8,
  name: 64,
  componentType: 32,
  output: 80,
  error: 120,
  instanceId: 64,
} as const;

/**
 * Bounds of the older observations: the engine needs from them only whether they passed, who answered, and the
 * name of a check that will not heal; outputs, component types and errors are dropped.
 */
export const OLDER_OBSERVATION_LIMITS = {
  failingChecks: 1,
  name: 32,
  /** A different instance's id is clipped (marked with `…`); the expected id is kept whole. */
  instanceId: 16,
} as const;

/**
 * Upper bound of `JSON.stringify(state)` in UTF-8 bytes, whatever was observed (the bounds above are chosen so
 * the worst case fits): small enough for any hand-over payload.
 */
export const STATE_MAX_BYTES = 16 * 1024;

/** The expected instance id: printable ASCII, so it compares exactly and bounds the state (EC2 ids are 19). */
const INSTANCE_ID = /^[\x21-\x7e]{1,64}$/;

/** The gate's carried state for one lifecycle action. */
export interface GateState {
  v: typeof GATE_STATE_VERSION;
  /** The instance named in the lifecycle event: the only one whose answers count. */
  instanceId: string;
  /** When the lifecycle action started (the event's time), epoch ms: the deadline counts from here. */
  startedAt: number;
  /** Last heartbeat recorded (initially `startedAt`, when Auto Scaling's heartbeat timer starts). */
  lastHeartbeatAt: number;
  /** Probes recorded so far (the history keeps only the last {@link HISTORY_LIMIT}). */
  probes: number;
  /** Hand-overs to a new invocation so far. */
  handovers: number;
  /**
   * The last {@link HISTORY_LIMIT} observations, oldest first: the latest compacted to
   * {@link OBSERVATION_LIMITS}, older ones to {@link OLDER_OBSERVATION_LIMITS}.
   */
  history: ProbeObservation[];
  /** The latest round of probes of in-service instances, when one was taken (see `needsBaseline`). */
  baseline?: BaselineObservation;
}

/**
 * A fresh state for the lifecycle action of `instanceId` that started at `startedAt` (epoch ms).
 *
 * @throws {GateStateError} when `instanceId` is not 1 to 64 printable ASCII characters (EC2 ids are) or
 *   `startedAt` is not a finite number.
 * @example
 * let state = initialState({ instanceId: event.detail.EC2InstanceId, startedAt: Date.parse(event.time) });
 */
export function initialState(input: { instanceId: string; startedAt: number }): GateState {
  const issues = [
    ...(INSTANCE_ID.test(input.instanceId) ? [] : ['instanceId: must be 1 to 64 printable ASCII characters']),
    ...(Number.isFinite(input.startedAt) ? [] : ['startedAt: must be a finite number']),
  ];
  if (issues.length > 0) {
    throw new GateStateError(`invalid gate state: ${issues.join('; ')}`, { issues });
  }
  return {
    v: GATE_STATE_VERSION,
    instanceId: input.instanceId,
    startedAt: input.startedAt,
    lastHeartbeatAt: input.startedAt,
    probes: 0,
    handovers: 0,
    history: [],
  };
}

/**
 * The state with one more observation (compacted), the earlier ones thinned, and the history trimmed to
 * {@link HISTORY_LIMIT}.
 */
export function recordProbe(state: GateState, observation: ProbeObservation): GateState {
  const older = state.history.slice(-(HISTORY_LIMIT - 1)).map((o) => thinObservation(o, state.instanceId));
  return { ...state, probes: state.probes + 1, history: [...older, compactObservation(observation)] };
}

/**
 * The state with `baseline` (compacted: the checks the canary's latest observation fails are kept first) in
 * place of any earlier one.
 */
export function recordBaseline(state: GateState, baseline: BaselineObservation): GateState {
  const latest = latestObservation(state);
  return {
    ...state,
    baseline: compactBaseline(baseline, latest?.failingChecks.map((c) => c.name) ?? []),
  };
}

/** The state after a heartbeat at `at` (epoch ms). */
export function recordHeartbeat(state: GateState, at: number): GateState {
  return { ...state, lastHeartbeatAt: Math.max(state.lastHeartbeatAt, at) };
}

/**
 * A carried state the gate cannot prove it produced (no seal, or a seal no key of the gate's verifies): it keeps
 * only what can make the gate stricter, never more lenient. The start stays (an earlier start only brings the
 * deadline closer) and so do the counts; the observations go (claimed passes must not count toward CONTINUE, and
 * claimed failures are observed again if real), and so do the baseline and the last heartbeat (a heartbeat is due
 * at once rather than late).
 */
export function distrustState(state: GateState): GateState {
  const { baseline: _baseline, ...rest } = state;
  return { ...rest, lastHeartbeatAt: state.startedAt, history: [] };
}

/** The state as handed to the next invocation. */
export function recordHandover(state: GateState): GateState {
  return { ...state, handovers: state.handovers + 1 };
}

/** The latest observation, if any. */
export function latestObservation(state: GateState): ProbeObservation | undefined {
  return state.history[state.history.length - 1];
}

/**
 * Bounds one observation: at most {@link OBSERVATION_LIMITS.failingChecks} failing checks (non-transient ones
 * first, so the signal that decides ABANDON survives) and bounded strings.
 */
export function compactObservation(observation: ProbeObservation): ProbeObservation {
  const limits = OBSERVATION_LIMITS;
  const ordered = nonTransientFirst(observation.failingChecks);
  const kept = ordered.slice(0, limits.failingChecks).map((check): FailingCheck => {
    const out: FailingCheck = { name: text(check.name, limits.name), transient: check.transient !== false };
    if (check.componentType !== undefined)
      out.componentType = text(check.componentType, limits.componentType);
    if (check.output !== undefined) out.output = text(check.output, limits.output);
    return out;
  });
  const compacted: ProbeObservation = {
    at: observation.at,
    latencyMs: observation.latencyMs,
    outcome: observation.outcome,
    failingChecks: kept,
  };
  if (observation.httpStatus !== undefined) compacted.httpStatus = observation.httpStatus;
  if (observation.instanceId !== undefined) {
    compacted.instanceId = identity(observation.instanceId, limits.instanceId);
  }
  if (observation.error !== undefined) compacted.error = text(observation.error, limits.error);
  const omitted = (observation.omittedChecks ?? 0) + (ordered.length - kept.length);
  if (omitted > 0) compacted.omittedChecks = omitted;
  return compacted;
}

/**
 * Thins an observation that is no longer the latest to {@link OLDER_OBSERVATION_LIMITS}: outcome, status,
 * identity and the first failing check (non-transient first) by name; every other check is counted in
 * `omittedChecks`, so a thinned observation that failed can never pass for a passing one.
 */
export function thinObservation(observation: ProbeObservation, expectedInstanceId: string): ProbeObservation {
  const limits = OLDER_OBSERVATION_LIMITS;
  const ordered = nonTransientFirst(observation.failingChecks);
  const kept = ordered.slice(0, limits.failingChecks).map(
    (check): FailingCheck => ({
      name: text(check.name, limits.name),
      transient: check.transient !== false,
    }),
  );
  const thinned: ProbeObservation = {
    at: observation.at,
    latencyMs: observation.latencyMs,
    outcome: observation.outcome,
    failingChecks: kept,
  };
  if (observation.httpStatus !== undefined) thinned.httpStatus = observation.httpStatus;
  if (observation.instanceId !== undefined) {
    thinned.instanceId =
      observation.instanceId === expectedInstanceId
        ? observation.instanceId
        : identity(observation.instanceId, limits.instanceId);
  }
  const omitted = (observation.omittedChecks ?? 0) + (ordered.length - kept.length);
  if (omitted > 0) thinned.omittedChecks = omitted;
  return thinned;
}

function nonTransientFirst(checks: readonly FailingCheck[]): FailingCheck[] {
  return [...checks].sort((a, b) => Number(a.transient !== false) - Number(b.transient !== false));
}

function text(value: string, max: number): string {
  return clip(sanitise(value), max);
}

/** A clipped identity is marked with `…`, so it can never equal the (printable ASCII) expected id by accident. */
function identity(value: string, max: number): string {
  const clean = sanitise(value);
  return clean.length <= max ? clean : truncate(clean, max);
}

const finite = z.number().refine(Number.isFinite);
const stateSchema = z.strictObject({
  v: z.literal(GATE_STATE_VERSION),
  instanceId: z.string().regex(INSTANCE_ID, { error: 'must be 1 to 64 printable ASCII characters' }),
  startedAt: finite,
  lastHeartbeatAt: finite,
  probes: z.number().int().min(0),
  handovers: z.number().int().min(0),
  history: z
    .array(
      z.strictObject({
        at: finite,
        latencyMs: finite,
        outcome: z.enum(ProbeOutcome),
        httpStatus: z.number().int().optional(),
        instanceId: z.string().optional(),
        failingChecks: z.array(
          z.strictObject({
            name: z.string(),
            transient: z.boolean(),
            componentType: z.string().optional(),
            output: z.string().optional(),
          }),
        ),
        error: z.string().optional(),
        omittedChecks: z.number().int().min(0).optional(),
      }),
    )
    .max(HISTORY_LIMIT),
  baseline: baselineSchema.optional(),
});

/**
 * Validates a state carried from a previous invocation (e.g. the payload of a hand-over), re-compacting its
 * observations so a tampered or oversized payload cannot grow the state.
 *
 * @throws {GateStateError} listing what is wrong.
 */
export function parseGateState(json: unknown): GateState {
  const result = stateSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(state)'}: ${i.message}`);
    throw new GateStateError(`invalid gate state: ${issues.join('; ')}`, { issues }, { cause: result.error });
  }
  const data = result.data;
  const base: GateState = {
    ...initialState(data),
    lastHeartbeatAt: data.lastHeartbeatAt,
    handovers: data.handovers,
  };
  const replayed = data.history.reduce((acc, observation) => recordProbe(acc, observation), base);
  const state: GateState = { ...replayed, probes: Math.max(data.probes, replayed.probes) };
  return data.baseline ? recordBaseline(state, data.baseline) : state;
}
