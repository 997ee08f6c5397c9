/** EC2 launch templates and their numbered versions. */
import { SimError } from './errors';
import type { IdGenerator } from './ids';

/** The fields of a template version the control plane uses; the rest is kept as sent. */
export interface LaunchTemplateData {
  ImageId?: string;
  InstanceType?: string;
  /** Base64, as the API carries it. */
  UserData?: string;
  [key: string]: unknown;
}

export interface LaunchTemplateVersion {
  templateId: string;
  templateName: string;
  versionNumber: number;
  description?: string;
  createTime: number;
  data: LaunchTemplateData;
}

export interface LaunchTemplate {
  id: string;
  name: string;
  createTime: number;
  defaultVersion: number;
  versions: LaunchTemplateVersion[];
  /** The highest number ever given (deleted versions keep theirs). */
  lastVersionNumber?: number;
}

/** Launch templates by id. */
export class LaunchTemplates {
  private readonly byId = new Map<string, LaunchTemplate>();

  constructor(
    private readonly ids: IdGenerator,
    private readonly now: () => number,
  ) {}

  create(name: string, data: LaunchTemplateData, description?: string): LaunchTemplate {
    if (!/^[a-zA-Z0-9().\-/_]{3,128}$/.test(name)) {
      throw new SimError(
        'InvalidLaunchTemplateName.MalformedException',
        `Launch template name ${name} is invalid`,
      );
    }
    if ([...this.byId.values()].some((t) => t.name === name)) {
      throw new SimError(
        'InvalidLaunchTemplateName.AlreadyExistsException',
        `Launch template name already in use.`,
      );
    }
    const id = this.ids.launchTemplateId();
    const createTime = this.now();
    const template: LaunchTemplate = {
      id,
      name,
      createTime,
      defaultVersion: 1,
      versions: [{ templateId: id, templateName: name, versionNumber: 1, description, createTime, data }],
    };
    this.byId.set(id, template);
    return template;
  }

  /** Adds a version; `sourceVersion` data is the base that `data` overrides, as EC2 does. */
  createVersion(
    ref: { id?: string; name?: string },
    data: LaunchTemplateData,
    sourceVersion?: string,
    description?: string,
  ): LaunchTemplateVersion {
    const template = this.get(ref);
    const base = sourceVersion ? this.resolve(template, sourceVersion).data : {};
    const version: LaunchTemplateVersion = {
      templateId: template.id,
      templateName: template.name,
      // Numbers are never reused, even after a version is deleted.
      versionNumber:
        Math.max(...template.versions.map((v) => v.versionNumber), template.lastVersionNumber ?? 0) + 1,
      description,
      createTime: this.now(),
      data: { ...base, ...data },
    };
    template.versions.push(version);
    template.lastVersionNumber = version.versionNumber;
    return version;
  }

  /**
   * Deletes one version (DeleteLaunchTemplateVersions): the answer for it, as EC2 reports each version on its own
   * (`undefined`: deleted). The default version cannot be deleted.
   */
  deleteVersion(
    ref: { id?: string; name?: string },
    versionNumber: string,
  ): { code: string; message: string } | undefined {
    const template = this.get(ref);
    const n = Number(versionNumber);
    const index = template.versions.findIndex((v) => v.versionNumber === n);
    if (!Number.isInteger(n) || index < 0) {
      return {
        code: 'launchTemplateVersionDoesNotExist',
        message: `The specified launch template version ${versionNumber} does not exist.`,
      };
    }
    if (n === template.defaultVersion) {
      return {
        code: 'unexpectedError',
        message:
          'Cannot delete the default version of a launch template; make another version the default first.',
      };
    }
    template.versions.splice(index, 1);
    return undefined;
  }

  /** Finds a template by id or name; `InvalidLaunchTemplateId.NotFound` / `…Name.NotFoundException` otherwise. */
  get(ref: { id?: string; name?: string }): LaunchTemplate {
    if (ref.id) {
      const t = this.byId.get(ref.id);
      if (!t) {
        throw new SimError(
          'InvalidLaunchTemplateId.NotFound',
          `The specified launch template, with template ID ${ref.id}, does not exist.`,
        );
      }
      return t;
    }
    const t = [...this.byId.values()].find((x) => x.name === ref.name);
    if (!t) {
      throw new SimError(
        'InvalidLaunchTemplateName.NotFoundException',
        `The specified launch template, with template name ${ref.name}, does not exist.`,
      );
    }
    return t;
  }

  /** Resolves `$Latest`, `$Default` or a number to a version. */
  resolve(template: LaunchTemplate, version: string): LaunchTemplateVersion {
    const n =
      version === '$Latest'
        ? Math.max(...template.versions.map((v) => v.versionNumber))
        : version === '$Default'
          ? template.defaultVersion
          : Number(version);
    const found = template.versions.find((v) => v.versionNumber === n);
    if (!found || !Number.isInteger(n)) {
      throw new SimError(
        'InvalidLaunchTemplateId.VersionNotFound',
        `Could not find launch template version ${version} for template ${template.id}`,
      );
    }
    return found;
  }

  list(): LaunchTemplate[] {
    return [...this.byId.values()];
  }
}
