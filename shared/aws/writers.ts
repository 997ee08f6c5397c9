/**
 * The two writes only a deploy makes: a launch template version (EC2) and a group's policy (SSM). Apart from the
 * gate's read-mostly adapters so the functions' bundles and roles never need them; clients are injected.
 */
import {
  CreateLaunchTemplateVersionCommand,
  type EC2Client,
  type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { AwsCallError, sdkErrorName } from './errors';

/** A new launch template version: data on top of `sourceVersion` (EC2's own merge). */
export interface LaunchTemplateVersionInput {
  templateId?: string;
  templateName?: string;
  sourceVersion?: string;
  description?: string;
  data: RequestLaunchTemplateData;
}

/** CreateLaunchTemplateVersion. */
export interface LaunchTemplateWriter {
  /** Returns the new version's number (as a string, as groups name versions). */
  createVersion(input: LaunchTemplateVersionInput): Promise<{ templateId: string; version: string }>;
}

/** PutParameter. */
export interface ParameterWriter {
  /**
   * Stores `value` at `name`: a new parameter is a String; an existing one gets a new version of its own type, so
   * a policy an operator keeps as a SecureString stays encrypted.
   */
  putParameter(name: string, value: string): Promise<void>;
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
  };
}
