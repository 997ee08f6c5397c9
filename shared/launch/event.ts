// A namespace import: bundlers keep only the parts used (the named `z` object would pull in all of zod).
import * as z from 'zod';

/** The EventBridge detail-type of a launch lifecycle action. */
export const LAUNCH_DETAIL_TYPE = 'EC2 Instance-launch Lifecycle Action';
/** The only transition the launch gate judges. */
export const LAUNCHING_TRANSITION = 'autoscaling:EC2_INSTANCE_LAUNCHING';
/** What Auto Scaling sends when a hook's notification target is first set up. */
export const TEST_NOTIFICATION = 'autoscaling:TEST_NOTIFICATION';
/** `Destination` of a launch into a warm pool (not into service). */
export const WARM_POOL_DESTINATION = 'WarmPool';

/** How the gate treats an incoming event. */
export const EventKind = {
  /** A launch into the group: probe and decide. */
  gate: 'gate',
  /** A launch into the warm pool: CONTINUE without probing (it is probed when it leaves the pool). */
  warmPool: 'warm-pool',
  /** `autoscaling:TEST_NOTIFICATION`: nothing to complete. */
  testNotification: 'test-notification',
  /** A well-formed event the gate does not judge (another detail-type or transition). */
  notGated: 'not-gated',
  /** Malformed: see `errors`; `action` is set when the lifecycle action can still be completed. */
  invalid: 'invalid',
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** Identifies one lifecycle action. The token completes it: it is never logged. */
export interface LifecycleAction {
  group: string;
  hook: string;
  token: string;
  instanceId: string;
}

const name = z.string().min(1).max(255);
/** A lifecycle action token: a UUID's shape (any version). */
export const TOKEN_SHAPE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const instanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'must be an EC2 instance id (i-…)');

/** The `detail` of an EventBridge lifecycle-action event, as Auto Scaling sends it. */
export const LifecycleDetailSchema = z.object({
  // CompleteLifecycleAction accepts exactly 36 characters: Auto Scaling's tokens are UUIDs (shape checked only).
  LifecycleActionToken: z.string().regex(TOKEN_SHAPE, 'must be a lifecycle action token (a UUID)'),
  AutoScalingGroupName: name,
  LifecycleHookName: name,
  EC2InstanceId: instanceId,
  LifecycleTransition: z.string().min(1),
  NotificationMetadata: z.string().optional(),
  Origin: z.string().optional(),
  Destination: z.string().optional(),
});

/** The EventBridge envelope (`source: aws.autoscaling`). Other envelope fields are accepted and ignored. */
export const LifecycleEventSchema = z.object({
  source: z.literal('aws.autoscaling'),
  'detail-type': z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  detail: LifecycleDetailSchema,
});
export type LifecycleEvent = z.infer<typeof LifecycleEventSchema>;

/** The result of {@link classifyEvent}. */
export type ClassifiedEvent =
  | { kind: typeof EventKind.gate; action: LifecycleAction; eventTime: number; origin?: string }
  | { kind: typeof EventKind.warmPool; action: LifecycleAction; eventTime: number }
  | { kind: typeof EventKind.testNotification; group?: string }
  | { kind: typeof EventKind.notGated; group: string; why: string }
  | { kind: typeof EventKind.invalid; errors: string[]; group?: string; action?: PartialAction };

/** What can be completed of a malformed event: CompleteLifecycleAction needs the group, hook and token. */
export interface PartialAction {
  group: string;
  hook: string;
  token: string;
  /** Only when it is a well-formed instance id. */
  instanceId?: string;
}

/**
 * Validates and classifies an incoming EventBridge event. Never throws: a malformed event comes back as
 * `invalid` with one message per problem, each naming the field (`detail.EC2InstanceId: …`).
 */
export function classifyEvent(raw: unknown): ClassifiedEvent {
  const detail = isRecord(raw) && isRecord(raw.detail) ? raw.detail : undefined;
  if (detail && (detail.Event === TEST_NOTIFICATION || detail.LifecycleTransition === TEST_NOTIFICATION)) {
    const group = typeof detail.AutoScalingGroupName === 'string' ? detail.AutoScalingGroupName : undefined;
    return group ? { kind: EventKind.testNotification, group } : { kind: EventKind.testNotification };
  }

  const parsed = LifecycleEventSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(event)';
      return `${path}: ${issue.message}`;
    });
    const group = stringField(detail, 'AutoScalingGroupName');
    return {
      kind: EventKind.invalid,
      errors,
      ...(group ? { group } : {}),
      ...withPartialAction(raw, detail),
    };
  }

  const event = parsed.data;
  const d = event.detail;
  if (event['detail-type'] !== LAUNCH_DETAIL_TYPE || d.LifecycleTransition !== LAUNCHING_TRANSITION) {
    return {
      kind: EventKind.notGated,
      group: d.AutoScalingGroupName,
      why: `${event['detail-type']} / ${d.LifecycleTransition} is not a launch into the group`,
    };
  }
  const action: LifecycleAction = {
    group: d.AutoScalingGroupName,
    hook: d.LifecycleHookName,
    token: d.LifecycleActionToken,
    instanceId: d.EC2InstanceId,
  };
  const eventTime = Date.parse(event.time);
  if (d.Destination === WARM_POOL_DESTINATION) {
    return { kind: EventKind.warmPool, action, eventTime };
  }
  return { kind: EventKind.gate, action, eventTime, ...(d.Origin ? { origin: d.Origin } : {}) };
}

/**
 * Fail closed on a malformed launch event: when it is a launch lifecycle action and its group, hook and token
 * are usable, the action can (and should) be abandoned now rather than left to the hook's timeout, whose
 * DefaultResult might be CONTINUE. Anything else (another source, another transition) is not ours to complete.
 */
function withPartialAction(
  raw: unknown,
  detail: Record<string, unknown> | undefined,
): { action?: PartialAction } {
  if (!isRecord(raw) || !detail) return {};
  if (raw.source !== 'aws.autoscaling' || raw['detail-type'] !== LAUNCH_DETAIL_TYPE) return {};
  if (detail.LifecycleTransition !== undefined && detail.LifecycleTransition !== LAUNCHING_TRANSITION)
    return {};
  const group = name.safeParse(detail.AutoScalingGroupName);
  const hook = name.safeParse(detail.LifecycleHookName);
  const token = LifecycleDetailSchema.shape.LifecycleActionToken.safeParse(detail.LifecycleActionToken);
  if (!group.success || !hook.success || !token.success) return {};
  const id = instanceId.safeParse(detail.EC2InstanceId);
  return {
    action: {
      group: group.data,
      hook: hook.data,
      token: token.data,
      ...(id.success ? { instanceId: id.data } : {}),
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
