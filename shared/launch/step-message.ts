/**
 * The message a launch gate step leaves for the next one: which action, what has been observed, where to probe,
 * and the gate's seal over all of it. It travels through the steps queue (any transport would do), so it is
 * validated and bounded on arrival like any input, and trusted only as far as its seal proves.
 */
// A namespace import: bundlers keep only the parts used (the named `z` object would pull in all of zod).
import * as z from 'zod';
import { POLICY_LIMITS } from '../gate';
import { TOKEN_SHAPE } from './event';

/** The marker that tells the gate a message is one of its own steps, not a lifecycle event. */
export const STEP_MARKER = 'step';
/** Version of the step message's shape. */
export const STEP_VERSION = 1;

/** Which part of the gate a step runs. */
export const Phase = {
  /** Probing the instance until CONTINUE or ABANDON. */
  gate: 'gate',
  /** After CONTINUE: watching the load balancer's own verdict. */
  lbVerify: 'lb-verify',
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

const name = z.string().min(1).max(255);
const instanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/);
const epochMs = z.number().int().min(0);

/** The lifecycle action a step belongs to. The token is never logged, and never names what is completed. */
export const stepActionSchema = z.strictObject({
  group: name,
  hook: name,
  token: z.string().regex(TOKEN_SHAPE),
  instanceId,
});

/** The seal over everything else in the message (see state-seal.ts). */
const sealSchema = z.strictObject({ kid: z.string().max(64), mac: z.string().max(128) });

/** The load balancers attached to the instance's group when the gate read it. */
const attachedSchema = z.strictObject({
  loadBalancerNames: z.array(name).max(50),
  targetGroupArns: z.array(z.string().min(1).max(2048)).max(100),
});

/**
 * Where and how the gate probes, resolved once by the first step (policy merged with the load balancers' checks
 * and bounded by the hook, the instance's private address, the hook's heartbeat timeout). Carried so later steps
 * make no reads; believed only under the gate's seal.
 */
const targetSchema = z.strictObject({
  address: z.string().min(2).max(45),
  /** The effective policy (validated again with parsePolicy). */
  policy: z.unknown(),
  heartbeatTimeoutSeconds: z.number().positive().max(7200),
  attached: attachedSchema,
  /** The soonest the load balancers can call the instance healthy after registration (see lbSettleSeconds). */
  lbSettleSeconds: z.number().min(0).max(7200).optional(),
});

const gateStepSchema = z.strictObject({
  healthgate: z.literal(STEP_MARKER),
  v: z.literal(STEP_VERSION),
  phase: z.literal(Phase.gate),
  action: stepActionSchema,
  /** The GateState of shared/gate (validated again there, with parseGateState). */
  state: z.unknown(),
  target: targetSchema.optional(),
  /** Why the gate has no target yet (the last transient failure, a listing that lags): named at the deadline. */
  pending: z.string().max(300).optional(),
  seal: sealSchema.optional(),
});

const lbStepSchema = z.strictObject({
  healthgate: z.literal(STEP_MARKER),
  v: z.literal(STEP_VERSION),
  phase: z.literal(Phase.lbVerify),
  action: stepActionSchema,
  verify: z
    .strictObject({
      /** When the lifecycle action started (the event's time). */
      eventTime: epochMs,
      /** When the gate completed the action with CONTINUE (or found it continued). */
      continuedAt: epochMs,
      /** The load balancer must say healthy before this (continuedAt + lbVerifySeconds). */
      until: epochMs,
      /** Time between two reads of the load balancers. */
      intervalMs: z.number().int().min(100).max(300_000),
      /** Reads made so far. */
      reads: z.number().int().min(0).max(100_000),
      attached: attachedSchema.optional(),
    })
    // The watch must end: a window longer than any policy allows would read without end.
    .refine((v) => v.until - v.continuedAt <= POLICY_LIMITS.maxLbVerifySeconds * 1000, {
      error: `until must be at most ${POLICY_LIMITS.maxLbVerifySeconds} s after continuedAt`,
      path: ['until'],
    }),
  seal: sealSchema.optional(),
});

/** A step message. */
export const StepMessageSchema = z.discriminatedUnion('phase', [gateStepSchema, lbStepSchema]);
export type StepMessage = z.infer<typeof StepMessageSchema>;
export type GateStepMessage = z.infer<typeof gateStepSchema>;
export type LbStepMessage = z.infer<typeof lbStepSchema>;
export type LbWatch = LbStepMessage['verify'];
export type StepTarget = NonNullable<GateStepMessage['target']>;
export type Attached = z.infer<typeof attachedSchema>;

/** Whether a payload claims to be a step (then it must parse as one, or it is malformed). */
export function isStepMessage(raw: unknown): boolean {
  return (
    typeof raw === 'object' && raw !== null && (raw as Record<string, unknown>).healthgate === STEP_MARKER
  );
}

/** The result of {@link parseStepMessage}. */
export type ParsedStep =
  | { ok: true; step: StepMessage }
  | {
      ok: false;
      errors: string[];
      /** The action, when it is well formed: a lost state is abandoned rather than left undecided. */
      action?: StepMessage['action'];
    };

/** Validates a step message; never throws. Each error names its field. */
export function parseStepMessage(raw: unknown): ParsedStep {
  const result = StepMessageSchema.safeParse(raw);
  if (result.success) return { ok: true, step: result.data };
  const errors = result.error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(payload)'}: ${issue.message}`,
  );
  const action = stepActionSchema.safeParse((raw as Record<string, unknown> | null)?.action);
  return action.success ? { ok: false, errors, action: action.data } : { ok: false, errors };
}
