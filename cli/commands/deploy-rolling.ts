/**
 * `healthgate deploy --strategy rolling`'s pre-flight: every read that can refuse the deploy before anything is
 * made (the group and its launching hook, a numbered launch template version to roll back to, the version to roll
 * out, no instance refresh already running, the group's policy for the circuit breaker), and the request made of
 * them. The run itself is the rolling driver's (shared/deploy).
 */
import {
  type AutoScalingAdapter,
  isActiveRefreshStatus,
  type LaunchTemplateWriter,
  policyParameterName,
  type SsmAdapter,
} from '../../shared/aws';
import type { RollingDeployRequest, RollingPreferenceOverrides } from '../../shared/deploy';
import { LIFECYCLE_TRANSITION_LAUNCHING } from '../../shared/fleet/settings';
import { DEFAULT_POLICY, parsePolicyInput } from '../../shared/gate';
import { UsageError } from '../usage-error';

/** What the command line gave a rolling deploy. */
export interface RollingOptions {
  group: string;
  version: string;
  ami?: string;
  templateVersion?: string;
  launchTemplate?: string;
  canary: number;
  maxAbandons?: number;
  preferences: RollingPreferenceOverrides;
  timeoutMs: number;
  pollIntervalMs: number;
  policyPrefix: string;
}

/** The pre-flight's answer: the request, or why another deploy must go first (exit 3, nothing made). */
export type RollingPreflight = { request: RollingDeployRequest } | { refused: string };

/**
 * Reads what a rolling deploy needs and builds its request.
 *
 * @throws {UsageError} for a group that cannot be refreshed as asked (no launching hook, `$Latest`/`$Default`).
 */
export async function prepareRolling(
  o: RollingOptions,
  deps: {
    autoscaling: Pick<
      AutoScalingAdapter,
      'describeGroup' | 'describeLifecycleHooks' | 'describeInstanceRefreshes'
    >;
    launchTemplates: Pick<LaunchTemplateWriter, 'describeVersion'>;
    ssm: Pick<SsmAdapter, 'getParameter'>;
  },
): Promise<RollingPreflight> {
  const group = await deps.autoscaling.describeGroup(o.group);
  const hooks = await deps.autoscaling.describeLifecycleHooks(o.group);
  if (!hooks.some((h) => h.transition === LIFECYCLE_TRANSITION_LAUNCHING)) {
    throw new UsageError(
      `${o.group} has no ${LIFECYCLE_TRANSITION_LAUNCHING} lifecycle hook, so its replacements would not be gated; nothing was made`,
    );
  }
  const current = group.launchTemplate;
  if (!current?.version || !/^\d+$/.test(current.version)) {
    throw new UsageError(
      `${o.group} launches ${current?.version ?? 'no launch template'}: a refresh of it cannot be rolled back; pin a numbered launch template version first (UpdateAutoScalingGroup); nothing was made`,
    );
  }
  const ref = o.launchTemplate
    ? o.launchTemplate.startsWith('lt-')
      ? { id: o.launchTemplate }
      : { name: o.launchTemplate }
    : current.id
      ? { id: current.id }
      : { name: current.name! };
  const source = await deps.launchTemplates.describeVersion(ref, o.templateVersion ?? current.version);
  if (!o.ami && source.templateId === current.id && source.version === current.version) {
    throw new UsageError(`${o.group} already launches version ${source.version}; nothing was made`);
  }
  const active = (await deps.autoscaling.describeInstanceRefreshes(o.group)).find((r) =>
    isActiveRefreshStatus(r.status),
  );
  if (active) {
    return {
      refused: `instance refresh ${active.id} of ${o.group} is ${active.status}: another rollout is under way; nothing was made`,
    };
  }
  const stored = await deps.ssm.getParameter(policyParameterName(o.policyPrefix, o.group));
  const policy = parsePolicyInput(stored === undefined ? undefined : JSON.parse(stored));
  return {
    request: {
      groupName: o.group,
      version: o.version,
      launchTemplate: { id: source.templateId, ...(o.ami ? {} : { version: source.version }) },
      ...(o.ami
        ? {
            newTemplateVersion: {
              sourceVersion: source.version,
              description: `healthgate deploy ${o.version}`,
              data: { ImageId: o.ami },
            },
          }
        : {}),
      canary: Math.min(o.canary, Math.max(1, group.desiredCapacity)),
      preferences: o.preferences,
      maxAbandons: o.maxAbandons ?? policy.maxAbandonsPerVersion ?? DEFAULT_POLICY.maxAbandonsPerVersion,
      timeoutMs: o.timeoutMs,
      pollIntervalMs: o.pollIntervalMs,
    },
  };
}
