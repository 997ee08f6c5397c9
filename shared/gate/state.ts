/**
 * What the gate carries from one invocation to the next for one lifecycle action: plain JSON, bounded in size
 * (a bounded history of compacted observations), so it fits an async invocation's payload with room to spare.
 */
import { z } from 'zod';
import { GateStateError } from './errors';
import { type FailingCheck, type ProbeObservation, ProbeOutcome } from './observation';
import { POLICY_LIMITS } from './policy';

/** Version of the carried state's shape. */
export const GATE_STATE_VERSION = 1;

/**
 * Observations kept: the largest healthy threshold a policy may set, so a policy reloaded between invocations
 * with a higher threshold still finds enough history.
 */
export const HISTORY_LIMIT: number = POLICY_LIMITS.maxHealthyThreshold;

/** Bounds of a compacted observation (strings in characters). */
export const OBSERVATION_LIMITS = {
  failingChecks: 8,
  name: 80,
  componentType: 40,
  output: 160,
  error: 160,
  instanceId: 64,
} as const;

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
  /** The last {@link HISTORY_LIMIT} observations, oldest first, compacted. */
  history: ProbeObservation[];
}

/**
 * A fresh state for the lifecycle action of `instanceId` that started at `startedAt` (epoch ms).
 *
 * @example
 * let state = initialState({ instanceId: event.detail.EC2InstanceId, startedAt: Date.parse(event.time) });
 */
export function initialState(input: { instanceId: string; startedAt: number }): GateState {
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

/** The state with one more observation (compacted) and the history trimmed to {@link HISTORY_LIMIT}. */
export function recordProbe(state: GateState, observation: ProbeObservation): GateState {
  const history = [...state.history, compactObservation(observation)];
  return { ...state, probes: state.probes + 1, history: history.slice(-HISTORY_LIMIT) };
}

/** The state after a heartbeat at `at` (epoch ms). */
export function recordHeartbeat(state: GateState, at: number): GateState {
  return { ...state, lastHeartbeatAt: Math.max(state.lastHeartbeatAt, at) };
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
  const ordered = [...observation.failingChecks].sort(
    (a, b) => Number(a.transient !== false) - Number(b.transient !== false),
  );
  const kept = ordered.slice(0, limits.failingChecks).map((check): FailingCheck => {
    const out: FailingCheck = { name: clip(check.name, limits.name), transient: check.transient !== false };
    if (check.componentType !== undefined)
      out.componentType = clip(check.componentType, limits.componentType);
    if (check.output !== undefined) out.output = clip(check.output, limits.output);
    return out;
  });
  const compacted: ProbeObservation = {
    at: observation.at,
    latencyMs: observation.latencyMs,
    outcome: observation.outcome,
    failingChecks: kept,
  };
  if (observation.httpStatus !== undefined) compacted.httpStatus = observation.httpStatus;
  // A clipped identity is marked, so it can never equal the expected id by accident.
  if (observation.instanceId !== undefined) {
    compacted.instanceId =
      observation.instanceId.length <= limits.instanceId
        ? observation.instanceId
        : `${observation.instanceId.slice(0, limits.instanceId)}…`;
  }
  if (observation.error !== undefined) compacted.error = clip(observation.error, limits.error);
  const omitted = (observation.omittedChecks ?? 0) + (ordered.length - kept.length);
  if (omitted > 0) compacted.omittedChecks = omitted;
  return compacted;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const finite = z.number().refine(Number.isFinite);
const stateSchema = z.strictObject({
  v: z.literal(GATE_STATE_VERSION),
  instanceId: z.string().min(1),
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
  const state = data.history.reduce((acc, observation) => recordProbe(acc, observation), base);
  return { ...state, probes: Math.max(data.probes, state.probes) };
}
