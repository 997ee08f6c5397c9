/**
 * The two writes only a deploy makes: a launch template version (EC2) and a group's policy (SSM). Apart from the
 * gate's read-mostly adapters so the functions' bundles and roles never need them; clients are injected.
 */
import {
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateVersionsCommand,
  DescribeLaunchTemplateVersionsCommand,
  type EC2Client,
  type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { DeleteParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { AwsCallError, sdkErrorName } from './errors';

/** A new launch template version: data on top of `sourceVersion` (EC2's own merge). */
export interface LaunchTemplateVersionInput {
  templateId?: string;
  templateName?: string;
  sourceVersion?: string;
  description?: string;
  data: RequestLaunchTemplateData;
}

/** One launch template version as a deploy reads it. */
export interface LaunchTemplateVersionInfo {
  templateId: string;
  templateName: string;
  /** The number (`$Latest` and `$Default` resolved). */
  version: string;
  imageId?: string;
}

/** A launch template, or the version of it asked for, does not exist. */
export class LaunchTemplateNotFoundError extends AwsCallError {
  override readonly name = 'LaunchTemplateNotFoundError';
  constructor(
    readonly template: string,
    readonly version: string,
    context: ConstructorParameters<typeof AwsCallError>[0],
    options: { cause?: unknown } = {},
  ) {
    super(context, { ...options, message: `launch template ${template} has no version ${version}` });
  }
}

const TEMPLATE_NOT_FOUND = new Set([
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateName.NotFoundException',
  'InvalidLaunchTemplateId.VersionNotFound',
  'InvalidLaunchTemplateId.Malformed',
]);

/** The launch template calls of a deploy: create a version, read one, delete the one it made. */
export interface LaunchTemplateWriter {
  /** Returns the new version's number (as a string, as groups name versions). */
  createVersion(input: LaunchTemplateVersionInput): Promise<{ templateId: string; version: string }>;
  /** DescribeLaunchTemplateVersions of one version; {@link LaunchTemplateNotFoundError} when it does not exist. */
  describeVersion(ref: { id?: string; name?: string }, version: string): Promise<LaunchTemplateVersionInfo>;
  /** DeleteLaunchTemplateVersions of one version (a deploy removing what it made). */
  deleteVersion(templateId: string, version: string): Promise<void>;
}

/** PutParameter and DeleteParameter. */
export interface ParameterWriter {
  /**
   * Stores `value` at `name`: a new parameter is a String; an existing one gets a new version of its own type, so
   * a policy an operator keeps as a SecureString stays encrypted.
   */
  putParameter(name: string, value: string): Promise<void>;
  /**
   * Creates `name` only if it does not exist (PutParameter without Overwrite, which SSM refuses atomically with
   * ParameterAlreadyExists): `false` when it existed. What a lock is built on.
   */
  createIfAbsent(name: string, value: string): Promise<boolean>;
  /** Overwrites `name` (a String). */
  overwrite(name: string, value: string): Promise<void>;
  /** DeleteParameter; a parameter already gone is not an error. */
  deleteParameter(name: string): Promise<void>;
}

/**
 * @example
 * const templates = createLaunchTemplateWriter(createEc2Client());
 */
export function createLaunchTemplateWriter(client: EC2Client): LaunchTemplateWriter {
  return {
    async createVersion(input) {
      const params = {
        ...(input.templateId ? { LaunchTemplateId: input.templateId } : {}),
        ...(input.templateName && !input.templateId ? { LaunchTemplateName: input.templateName } : {}),
        ...(input.sourceVersion ? { SourceVersion: input.sourceVersion } : {}),
        ...(input.description ? { VersionDescription: input.description } : {}),
      };
      try {
        const out = await client.send(
          new CreateLaunchTemplateVersionCommand({ ...params, LaunchTemplateData: input.data }),
        );
        const v = out.LaunchTemplateVersion;
        if (v?.VersionNumber === undefined || !v.LaunchTemplateId) {
          throw new Error('the answer names no version');
        }
        return { templateId: v.LaunchTemplateId, version: String(v.VersionNumber) };
      } catch (error) {
        if (error instanceof AwsCallError) throw error;
        throw new AwsCallError(
          { service: 'ec2', operation: 'CreateLaunchTemplateVersion', params },
          { cause: error },
        );
      }
    },

    async describeVersion(ref, version) {
      const params = {
        ...(ref.id ? { LaunchTemplateId: ref.id } : { LaunchTemplateName: ref.name }),
        Versions: [version],
      };
      const context = { service: 'ec2', operation: 'DescribeLaunchTemplateVersions', params };
      const label = ref.id ?? ref.name ?? '';
      try {
        const out = await client.send(new DescribeLaunchTemplateVersionsCommand(params));
        const v = out.LaunchTemplateVersions?.[0];
        if (v?.VersionNumber === undefined || !v.LaunchTemplateId) {
          throw new LaunchTemplateNotFoundError(label, version, context);
        }
        return {
          templateId: v.LaunchTemplateId,
          templateName: v.LaunchTemplateName ?? '',
          version: String(v.VersionNumber),
          ...(v.LaunchTemplateData?.ImageId ? { imageId: v.LaunchTemplateData.ImageId } : {}),
        };
      } catch (error) {
        if (error instanceof AwsCallError) throw error;
        if (TEMPLATE_NOT_FOUND.has(sdkErrorName(error))) {
          throw new LaunchTemplateNotFoundError(label, version, context, { cause: error });
        }
        throw new AwsCallError(context, { cause: error });
      }
    },

    async deleteVersion(templateId, version) {
      const params = { LaunchTemplateId: templateId, Versions: [version] };
      try {
        const out = await client.send(new DeleteLaunchTemplateVersionsCommand(params));
        const failed = out.UnsuccessfullyDeletedLaunchTemplateVersions?.[0];
        if (failed) {
          throw new Error(`${failed.ResponseError?.Code ?? 'error'}: ${failed.ResponseError?.Message ?? ''}`);
        }
      } catch (error) {
        throw new AwsCallError(
          { service: 'ec2', operation: 'DeleteLaunchTemplateVersions', params },
          { cause: error },
        );
      }
    },
  };
}

/**
 * @example
 * const parameters = createParameterWriter(createSsmClient());
 */
export function createParameterWriter(client: SSMClient): ParameterWriter {
  return {
    async putParameter(name, value) {
      try {
        try {
          await client.send(
            new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: false }),
          );
        } catch (error) {
          if (sdkErrorName(error) !== 'ParameterAlreadyExists') throw error;
          // No Type: "Specifying a parameter type isn't required when updating a parameter", and giving String
          // would turn an existing SecureString into plain text.
          await client.send(new PutParameterCommand({ Name: name, Value: value, Overwrite: true }));
        }
      } catch (error) {
        throw new AwsCallError(
          { service: 'ssm', operation: 'PutParameter', params: { Name: name } },
          { cause: error },
        );
      }
    },

    async createIfAbsent(name, value) {
      try {
        await client.send(
          new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: false }),
        );
        return true;
      } catch (error) {
        if (sdkErrorName(error) === 'ParameterAlreadyExists') return false;
        throw new AwsCallError(
          { service: 'ssm', operation: 'PutParameter', params: { Name: name } },
          { cause: error },
        );
      }
    },

    async overwrite(name, value) {
      try {
        await client.send(
          new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }),
        );
      } catch (error) {
        throw new AwsCallError(
          { service: 'ssm', operation: 'PutParameter', params: { Name: name } },
          { cause: error },
        );
      }
    },

    async deleteParameter(name) {
      try {
        await client.send(new DeleteParameterCommand({ Name: name }));
      } catch (error) {
        if (sdkErrorName(error) === 'ParameterNotFound') return;
        throw new AwsCallError(
          { service: 'ssm', operation: 'DeleteParameter', params: { Name: name } },
          { cause: error },
        );
      }
    },
  };
}
