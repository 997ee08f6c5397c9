/**
 * `healthgate deploy`'s blue/green pre-flight: every read that can refuse the deploy before anything is made (the
 * serving group and its launching hook, the launch template version, a free name for the new group, the gate
 * policy with the operator's overrides), and the request made of them. The run itself is the blue/green driver's.
 */
import { randomUUID } from 'node:crypto';
import {
  type AutoScalingAdapter,
  GroupNotFoundError,
  type LaunchTemplateWriter,
  policyParameterName,
  type SsmAdapter,
} from '../../shared/aws';
import { type DeployRequest, modelOnServing, newGroupName, type ServingModel } from '../../shared/deploy';
import { PolicyError, type PolicyInput, parsePolicy, parsePolicyInput } from '../../shared/gate';
import { UsageError } from '../usage-error';

/** A group name the deploy may make: letters, digits, '.', '_' and '-'. */
export const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What the command line gave a blue/green deploy. */
export interface BlueGreenOptions {
  serving: string;
  version: string;
  ami?: string;
  templateVersion?: string;
  launchTemplate?: string;
  newGroup?: string;
  capacity?: number;
  canary: number;
  maxAbandons?: number;
  overrides: PolicyInput;
  timeoutMs: number;
  pollIntervalMs: number;
  policyPrefix: string;
}

/**
 * Reads what a blue/green deploy needs and builds its request and the new group's settings.
 *
 * @throws {UsageError} for a deploy that cannot be made as asked (the name taken, no launch template, a policy the
 * overrides make invalid); the adapters' own errors otherwise.
 */
export async function prepareBlueGreen(
  o: BlueGreenOptions,
  deps: {
    autoscaling: Pick<AutoScalingAdapter, 'describeGroup' | 'describeLifecycleHooks'>;
    launchTemplates: Pick<LaunchTemplateWriter, 'describeVersion'>;
    ssm: Pick<SsmAdapter, 'getParameter'>;
  },
): Promise<{ request: DeployRequest; settings: ServingModel['settings'] }> {
  const { autoscaling } = deps;
  const group = await autoscaling.describeGroup(o.serving);
  const model = modelOnServing(group, await autoscaling.describeLifecycleHooks(o.serving), o.capacity);
  const named = o.launchTemplate;
  const ref = named
    ? named.startsWith('lt-')
      ? { id: named }
      : { name: named }
    : group.launchTemplate?.id
      ? { id: group.launchTemplate.id }
      : group.launchTemplate?.name
        ? { name: group.launchTemplate.name }
        : undefined;
  if (!ref) {
    throw new UsageError(`${o.serving} launches from no launch template: give --launch-template ID|NAME`);
  }
  const source = await deps.launchTemplates.describeVersion(
    ref,
    o.templateVersion ?? (named ? '$Default' : (group.launchTemplate?.version ?? '$Default')),
  );
  const groupName = o.newGroup ?? newGroupName(group, o.version);
  if (!GROUP_NAME.test(groupName) || groupName === o.serving) {
    throw new UsageError(
      `the new group's name ${JSON.stringify(groupName)} is unusable: give --new-group NAME`,
    );
  }
  const taken = await autoscaling.describeGroup(groupName).then(
    () => true,
    (error: unknown) => {
      if (error instanceof GroupNotFoundError) return false;
      throw error;
    },
  );
  if (taken) {
    throw new UsageError(
      `a group named ${groupName} already exists: give --new-group NAME; nothing was made`,
    );
  }
  const stored = await deps.ssm.getParameter(policyParameterName(o.policyPrefix, o.serving));
  const policy: PolicyInput = {
    ...parsePolicyInput(stored === undefined ? undefined : JSON.parse(stored)),
    ...o.overrides,
  };
  try {
    parsePolicy(policy);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    throw new UsageError(`the gate policy of ${groupName} would be invalid`, {
      problems: error.issues.map((i) => `${i.field}: ${i.message}`),
    });
  }
  return {
    settings: model.settings,
    request: {
      ...model.spec,
      groupName,
      previousGroupName: o.serving,
      version: o.version,
      canary: Math.min(o.canary, model.spec.desiredCapacity),
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
      ...(Object.keys(policy).length > 0 ? { policy } : {}),
      policyPrefix: o.policyPrefix,
      ...(o.maxAbandons !== undefined ? { maxAbandons: o.maxAbandons } : {}),
      timeoutMs: o.timeoutMs,
      pollIntervalMs: o.pollIntervalMs,
      deployId: randomUUID(),
    },
  };
}
