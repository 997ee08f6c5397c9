import { z } from 'zod';
import { POLICY_LIMITS } from '../gate';
import { TOKEN_SHAPE } from './event';

/** The marker that tells the handler a payload is its own continuation, not an EventBridge event. */
export const CONTINUATION_MARKER = 'continuation';
/** Version of the continuation payload's shape. */
export const CONTINUATION_VERSION = 1;

/** Which part of the gate a continuation resumes. */
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

/** The lifecycle action a continuation belongs to. The token completes it: never logged. */
const actionSchema = z.strictObject({
  group: name,
  hook: name,
  token: z.string().regex(TOKEN_SHAPE),
  instanceId,
});

/** The gate's seal over everything else in the payload (see state-seal.ts); absent when no key is configured. */
const sealSchema = z.strictObject({
  kid: z.string().max(64),
  mac: z.string().max(128),
});

const gatePhaseSchema = z.strictObject({
  healthgate: z.literal(CONTINUATION_MARKER),
  v: z.literal(CONTINUATION_VERSION),
  phase: z.literal(Phase.gate),
  action: actionSchema,
  /** The GateState of shared/gate (validated again there, with parseGateState). */
  state: z.unknown(),
  seal: sealSchema.optional(),
});

const lbVerifyPhaseSchema = z.strictObject({
  healthgate: z.literal(CONTINUATION_MARKER),
  v: z.literal(CONTINUATION_VERSION),
  phase: z.literal(Phase.lbVerify),
  action: actionSchema,
  verify: z
    .strictObject({
      /** When the lifecycle action started (the event's time). */
      eventTime: epochMs,
      /** When the gate completed the action with CONTINUE. */
      continuedAt: epochMs,
      /** The load balancer must say healthy before this (continuedAt + lbVerifySeconds). */
      until: epochMs,
      /** Time between two reads of the load balancer's verdict. */
      intervalMs: z.number().int().min(100).max(300_000),
      handovers: z.number().int().min(0),
    })
    // The watch must end: a window longer than any policy allows would hand over without end.
    .refine((v) => v.until - v.continuedAt <= POLICY_LIMITS.maxLbVerifySeconds * 1000, {
      error: `until must be at most ${POLICY_LIMITS.maxLbVerifySeconds} s after continuedAt`,
      path: ['until'],
    }),
  seal: sealSchema.optional(),
});

/** The payload the launch gate hands to its next invocation. */
export const ContinuationSchema = z.discriminatedUnion('phase', [gatePhaseSchema, lbVerifyPhaseSchema]);
export type Continuation = z.infer<typeof ContinuationSchema>;
export type GateContinuation = z.infer<typeof gatePhaseSchema>;
export type LbVerifyContinuation = z.infer<typeof lbVerifyPhaseSchema>;
export type LbVerifyProgress = LbVerifyContinuation['verify'];

/** Whether a payload claims to be a continuation (then it must parse as one, or it is malformed). */
export function isContinuation(raw: unknown): boolean {
  return (
    typeof raw === 'object' &&
    raw !== null &&
    (raw as Record<string, unknown>).healthgate === CONTINUATION_MARKER
  );
}

/** The result of {@link parseContinuation}. */
export type ParsedContinuation =
  | { ok: true; continuation: Continuation }
  | {
      ok: false;
      errors: string[];
      /** The action, when it is well formed: a lost state is abandoned rather than left undecided. */
      action?: Continuation['action'];
    };

/** Validates a continuation payload; never throws. Each error names its field. */
export function parseContinuation(raw: unknown): ParsedContinuation {
  const result = ContinuationSchema.safeParse(raw);
  if (result.success) {
    return { ok: true, continuation: result.data };
  }
  const errors = result.error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(payload)'}: ${issue.message}`,
  );
  const action = actionSchema.safeParse((raw as Record<string, unknown> | null)?.action);
  return action.success ? { ok: false, errors, action: action.data } : { ok: false, errors };
}
