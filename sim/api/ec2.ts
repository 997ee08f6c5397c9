/** EC2 (2016-11-15, ec2Query) operations: instances of the groups and launch templates. */
import {
  CreateLaunchTemplate$,
  type CreateLaunchTemplateRequest,
  type CreateLaunchTemplateResult,
  CreateLaunchTemplateVersion$,
  type CreateLaunchTemplateVersionRequest,
  type CreateLaunchTemplateVersionResult,
  DeleteLaunchTemplateVersions$,
  type DeleteLaunchTemplateVersionsRequest,
  type DeleteLaunchTemplateVersionsResult,
  DescribeInstances$,
  type DescribeInstancesRequest,
  type DescribeInstancesResult,
  DescribeLaunchTemplateVersions$,
  type DescribeLaunchTemplateVersionsRequest,
  type DescribeLaunchTemplateVersionsResult,
  type LaunchTemplateVersion as Ec2LaunchTemplateVersion,
  type Filter,
  TerminateInstances$,
  type TerminateInstancesRequest,
  type TerminateInstancesResult,
} from '@aws-sdk/client-ec2';
import type { ControlPlane } from '../model/control-plane';
import { SimError } from '../model/errors';
import type { LaunchTemplateData, LaunchTemplateVersion } from '../model/launch-templates';
import type { Instance } from '../model/types';
import { type Operation, operation } from './operation';
import { ec2PagingErrors, type PageLimit, pageOf, pageSize } from './paging';

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
/** DescribeInstances: MaxResults 5 to 1000; without it the call is unpaginated and answers every instance. */
const INSTANCES_PAGE: PageLimit = { member: 'maxResults', default: undefined, min: 5, max: 1000 };

const matchesFilter = (i: Instance, f: Filter): boolean => {
  const values = f.Values ?? [];
  const name = f.Name ?? '';
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return i.tags.some((t) => t.key === key && values.includes(t.value));
  }
  switch (name) {
    case 'instance-id':
      return values.includes(i.instanceId);
    case 'instance-state-name':
      return values.includes(i.ec2State.Name);
    case 'private-ip-address':
      return values.includes(i.privateIp);
    case 'tag-key':
      return i.tags.some((t) => values.includes(t.key));
    default:
      throw new SimError('InvalidParameterValue', `The filter '${name}' is invalid`);
  }
};

const versionView = (v: LaunchTemplateVersion, defaultVersion: number): Ec2LaunchTemplateVersion => ({
  LaunchTemplateId: v.templateId,
  LaunchTemplateName: v.templateName,
  VersionNumber: v.versionNumber,
  VersionDescription: v.description,
  CreateTime: new Date(v.createTime),
  CreatedBy: 'arn:aws:iam::123456789012:root',
  DefaultVersion: v.versionNumber === defaultVersion,
  LaunchTemplateData: v.data as Ec2LaunchTemplateVersion['LaunchTemplateData'],
});

/** The operations by action name. */
export const ec2Operations = (cp: ControlPlane): Record<string, Operation> => {
  const lts = cp.launchTemplates;
  return {
    DescribeInstances: operation(
      DescribeInstances$,
      (input: DescribeInstancesRequest): DescribeInstancesResult => {
        const ids = input.InstanceIds ?? [];
        // "You cannot specify this parameter and the instance IDs parameter in the same request."
        if (ids.length > 0 && input.MaxResults !== undefined) {
          throw new SimError(
            'InvalidParameterCombination',
            'The parameter instancesSet cannot be used with the parameter maxResults',
          );
        }
        const malformed = ids.find((id) => !INSTANCE_ID.test(id));
        if (malformed) throw new SimError('InvalidInstanceID.Malformed', `Invalid id: "${malformed}"`);
        const missing = ids.filter((id) => !cp.autoscaling.instances.has(id));
        if (missing.length === 1) {
          throw new SimError('InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
        }
        if (missing.length > 1) {
          throw new SimError(
            'InvalidInstanceID.NotFound',
            `The instance IDs '${missing.join(', ')}' do not exist`,
          );
        }
        const rows = [...cp.autoscaling.instances.values()].filter(
          (i) =>
            (ids.length === 0 || ids.includes(i.instanceId)) &&
            (input.Filters ?? []).every((f) => matchesFilter(i, f)),
        );
        const { page, next } = pageOf(
          rows,
          (i) => i.instanceId,
          { size: pageSize(input.MaxResults, INSTANCES_PAGE, ec2PagingErrors), token: input.NextToken },
          ec2PagingErrors,
        );
        return {
          Reservations: page.map((i) => ({
            ReservationId: `r-${i.instanceId.slice(2)}`,
            OwnerId: cp.accountId,
            Instances: [
              {
                InstanceId: i.instanceId,
                ImageId: i.imageId,
                InstanceType: i.instanceType as never,
                LaunchTime: new Date(i.launchTime),
                Placement: { AvailabilityZone: i.availabilityZone },
                PrivateIpAddress: i.ec2State.Name === 'terminated' ? undefined : i.privateIp,
                PrivateDnsName:
                  i.ec2State.Name === 'terminated'
                    ? ''
                    : `ip-${i.privateIp.replaceAll('.', '-')}.ec2.internal`,
                State: { Code: i.ec2State.Code, Name: i.ec2State.Name },
                Tags: i.tags.map((t) => ({ Key: t.key, Value: t.value })),
              },
            ],
          })),
          NextToken: next,
        };
      },
    ),
    TerminateInstances: operation(
      TerminateInstances$,
      (input: TerminateInstancesRequest): TerminateInstancesResult => {
        const ids = input.InstanceIds ?? [];
        const malformed = ids.find((id) => !INSTANCE_ID.test(id));
        if (malformed) throw new SimError('InvalidInstanceID.Malformed', `Invalid id: "${malformed}"`);
        const missing = ids.find((id) => !cp.autoscaling.instances.has(id));
        if (missing)
          throw new SimError('InvalidInstanceID.NotFound', `The instance ID '${missing}' does not exist`);
        return {
          TerminatingInstances: ids.map((id) => {
            const { previous, instance } = cp.autoscaling.terminateFromEc2(id);
            return {
              InstanceId: id,
              PreviousState: { Code: previous.Code, Name: previous.Name },
              CurrentState: { Code: instance.ec2State.Code, Name: instance.ec2State.Name },
            };
          }),
        };
      },
    ),
    CreateLaunchTemplate: operation(
      CreateLaunchTemplate$,
      (input: CreateLaunchTemplateRequest): CreateLaunchTemplateResult => {
        const t = lts.create(
          input.LaunchTemplateName ?? '',
          (input.LaunchTemplateData ?? {}) as LaunchTemplateData,
          input.VersionDescription,
        );
        return {
          LaunchTemplate: {
            LaunchTemplateId: t.id,
            LaunchTemplateName: t.name,
            CreateTime: new Date(t.createTime),
            CreatedBy: 'arn:aws:iam::123456789012:root',
            DefaultVersionNumber: t.defaultVersion,
            LatestVersionNumber: t.lastVersionNumber ?? t.versions.length,
          },
        };
      },
    ),
    CreateLaunchTemplateVersion: operation(
      CreateLaunchTemplateVersion$,
      (input: CreateLaunchTemplateVersionRequest): CreateLaunchTemplateVersionResult => {
        const ref = { id: input.LaunchTemplateId, name: input.LaunchTemplateName };
        const v = lts.createVersion(
          ref,
          (input.LaunchTemplateData ?? {}) as LaunchTemplateData,
          input.SourceVersion,
          input.VersionDescription,
        );
        return { LaunchTemplateVersion: versionView(v, lts.get(ref).defaultVersion) };
      },
    ),
    DeleteLaunchTemplateVersions: operation(
      DeleteLaunchTemplateVersions$,
      (input: DeleteLaunchTemplateVersionsRequest): DeleteLaunchTemplateVersionsResult => {
        const ref = { id: input.LaunchTemplateId, name: input.LaunchTemplateName };
        const t = lts.get(ref);
        const ok: string[] = [];
        const failed: { version: string; code: string; message: string }[] = [];
        for (const version of input.Versions ?? []) {
          const error = lts.deleteVersion(ref, version);
          if (error) failed.push({ version, ...error });
          else ok.push(version);
        }
        return {
          SuccessfullyDeletedLaunchTemplateVersions: ok.map((v) => ({
            LaunchTemplateId: t.id,
            LaunchTemplateName: t.name,
            VersionNumber: Number(v),
          })),
          UnsuccessfullyDeletedLaunchTemplateVersions: failed.map((f) => ({
            LaunchTemplateId: t.id,
            LaunchTemplateName: t.name,
            VersionNumber: Number(f.version),
            ResponseError: { Code: f.code as never, Message: f.message },
          })),
        };
      },
    ),
    DescribeLaunchTemplateVersions: operation(
      DescribeLaunchTemplateVersions$,
      (input: DescribeLaunchTemplateVersionsRequest): DescribeLaunchTemplateVersionsResult => {
        const t = lts.get({ id: input.LaunchTemplateId, name: input.LaunchTemplateName });
        const wanted = input.Versions ?? [];
        const versions = wanted.length ? wanted.map((v) => lts.resolve(t, v)) : t.versions;
        return { LaunchTemplateVersions: versions.map((v) => versionView(v, t.defaultVersion)) };
      },
    ),
  };
};
