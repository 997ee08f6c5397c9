import {
  DescribeInstancesCommand,
  EC2Client,
  type EC2ClientConfig,
  type Instance,
} from '@aws-sdk/client-ec2';
import { DEFAULT_CLIENT_CONFIG } from './client-config';
import { compact } from './compact';
import { type AwsErrorContext, InstanceNotFoundError, sdkErrorName, toAwsError } from './errors';

const SERVICE = 'ec2';
/** The tag Auto Scaling puts on every instance it launches. */
export const GROUP_NAME_TAG = 'aws:autoscaling:groupName';
/** The tag EC2 puts on an instance launched from a launch template. */
export const LAUNCH_TEMPLATE_VERSION_TAG = 'aws:ec2launchtemplate:version';

/** What the gate needs to know about one EC2 instance. */
export interface Ec2Instance {
  instanceId: string;
  /** Absent while the instance has no private address yet (or after it terminated). */
  privateIp?: string;
  /** `pending`, `running`, `shutting-down`, `terminated`, `stopping`, `stopped`. */
  state: string;
  /** From the `aws:autoscaling:groupName` tag. */
  groupName?: string;
  /** From the `aws:ec2launchtemplate:version` tag. */
  launchTemplateVersion?: string;
  imageId?: string;
}

/** The EC2 calls healthgate makes. */
export interface Ec2Adapter {
  /** DescribeInstances for one id; throws {@link InstanceNotFoundError} when it does not exist. */
  describeInstance(instanceId: string): Promise<Ec2Instance>;
}

/**
 * A client with healthgate's defaults: adaptive retries, bounded attempts, endpoint from the SDK's env.
 * `overrides` is for tests (a request handler) and tuning; never pass an endpoint.
 */
export function createEc2Client(overrides: EC2ClientConfig = {}): EC2Client {
  return new EC2Client({ ...DEFAULT_CLIENT_CONFIG, ...overrides });
}

/** The EC2 adapter. */
export function createEc2Adapter(client: EC2Client = createEc2Client()): Ec2Adapter {
  return {
    async describeInstance(instanceId) {
      const ctx: AwsErrorContext = {
        service: SERVICE,
        operation: 'DescribeInstances',
        params: { InstanceIds: [instanceId] },
      };
      let instance: Instance | undefined;
      let nextToken: string | undefined;
      try {
        // With InstanceIds EC2 takes no MaxResults and answers in one page; a NextToken is still followed.
        do {
          const out = await client.send(
            new DescribeInstancesCommand({ InstanceIds: [instanceId], NextToken: nextToken }),
          );
          instance = (out.Reservations ?? [])
            .flatMap((r) => r.Instances ?? [])
            .find((i) => i.InstanceId === instanceId);
          nextToken = out.NextToken;
        } while (!instance && nextToken);
      } catch (error) {
        if (sdkErrorName(error) === 'InvalidInstanceID.NotFound') {
          throw new InstanceNotFoundError(instanceId, ctx, { cause: error });
        }
        throw toAwsError(ctx, error);
      }
      if (!instance) {
        throw new InstanceNotFoundError(instanceId, ctx);
      }
      const tag = (key: string) => instance.Tags?.find((t) => t.Key === key)?.Value;
      return compact({
        instanceId,
        privateIp: instance.PrivateIpAddress,
        state: instance.State?.Name ?? 'unknown',
        groupName: tag(GROUP_NAME_TAG),
        launchTemplateVersion: tag(LAUNCH_TEMPLATE_VERSION_TAG),
        imageId: instance.ImageId,
      });
    },
  };
}
