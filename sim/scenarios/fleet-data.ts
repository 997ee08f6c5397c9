/**
 * What a version becomes on the local fleet, pure: its image (the demo app's build, one shipping extra
 * migrations, or the version's shell command), and the UserData of its launch template (the app's environment,
 * its configuration, and the machine faults as SIM_* knobs).
 */
import { createHash } from 'node:crypto';
import { envKeyFor } from '../../app/ssm-config';
import type { CommandImage } from '../fleet/command-image';
import type { ImageSpec } from '../fleet/images';
import { formatUserData, SimKnob } from '../fleet/user-data';
import { SCENARIO_POLICY } from './defaults';
import type { MachineFaultSpec, Scenario, VersionSpec } from './types';

/** The demo app's image as its own tree builds it: the release step migrates the shared database with it. */
export const BASE_IMAGE = 'ami-healthgate-base';

/** Where a version's configuration lives in SSM (its instances' `HEALTHGATE_SSM_CONFIG_PATH`). */
export function configPathOf(version: Pick<VersionSpec, 'name'>): string {
  return `/healthgate/versions/${version.name}`;
}

/** The image a version's instances run. */
export function versionImageId(version: VersionSpec): string {
  if (version.command) {
    return `ami-cmd-${createHash('sha256').update(version.command).digest('hex').slice(0, 12)}`;
  }
  const extras = version.unappliedMigrations ?? [];
  return extras.length === 0 ? BASE_IMAGE : `ami-healthgate-${[...extras].sort().join('-')}`;
}

/** The path the gate and the load balancer probe: the policy's, as the version's group gets it. */
export function healthPathOf(scenario: Scenario, version?: VersionSpec): string {
  const path = version?.policy?.path ?? scenario.policy?.path ?? SCENARIO_POLICY.path;
  return typeof path === 'string' ? path : SCENARIO_POLICY.path;
}

/**
 * Every image a scenario needs, each once; the demo's base image whenever a version runs the demo app (the
 * release step migrates with it). Commands run in `cwd`.
 */
export function scenarioImages(scenario: Scenario, cwd: string): (ImageSpec | CommandImage)[] {
  const images = new Map<string, ImageSpec | CommandImage>();
  for (const version of scenario.versions) {
    const imageId = versionImageId(version);
    if (images.has(imageId)) continue;
    if (version.command) {
      images.set(imageId, {
        imageId,
        command: version.command,
        cwd,
        readinessPath: healthPathOf(scenario, version),
      });
    } else {
      images.set(BASE_IMAGE, { imageId: BASE_IMAGE });
      if (imageId !== BASE_IMAGE) {
        images.set(imageId, { imageId, extraMigrations: [...(version.unappliedMigrations ?? [])] });
      }
    }
  }
  return [...images.values()];
}

/** Whether any version runs the demo app (which needs its shared database migrated first). */
export const usesDemoApp = (scenario: Scenario): boolean => scenario.versions.some((v) => !v.command);

/** A version's configuration: the scenario's, with the version's keys set and its missing ones removed. */
export function versionConfiguration(
  scenarioConfiguration: Readonly<Record<string, string>>,
  version: VersionSpec,
): Record<string, string> {
  const configuration: Record<string, string> = { ...scenarioConfiguration, ...version.configuration?.set };
  for (const key of version.configuration?.missing ?? []) delete configuration[key];
  return configuration;
}

const KNOBS: Record<keyof MachineFaultSpec, SimKnob> = {
  slowStartMs: SimKnob.bootDelayMs,
  hangAfterMs: SimKnob.hangAfterMs,
  killAfterMs: SimKnob.killAfterMs,
  flapPeriodMs: SimKnob.flapPeriodMs,
  refuseConnections: SimKnob.refuseConnections,
  impostor: SimKnob.impostor,
  lbUnreachable: SimKnob.lbUnreachable,
};

/** What the environment of one version's instances is made of. */
export interface VersionLaunchContext {
  /** The shared database every demo instance reads (`SQLITE_PATH` or `DATABASE_URL`). */
  database: Readonly<Record<string, string>>;
  /** The version's configuration ({@link versionConfiguration}). */
  configuration: Readonly<Record<string, string>>;
}

/**
 * The image and environment of one version. The environment holds the version's name, its configuration (each
 * key as a variable: `secret-key` → `SECRET_KEY`, and the SSM path holding the same keys), the version's own
 * variables, and the machine's faults. The demo app also reads the shared database and never migrates at boot:
 * applying migrations is the release step's job, as in the seed.
 */
export function versionLaunchData(
  version: VersionSpec,
  context: VersionLaunchContext,
): { imageId: string; env: Record<string, string> } {
  const configPath = configPathOf(version);
  const env: Record<string, string> = {
    APP_VERSION: version.name,
    RELEASE_ID: `release-${version.name}`,
    ...(version.command
      ? {}
      : {
          ...context.database,
          MIGRATE_ON_BOOT: '0',
          // A short drain on SIGTERM, within the fleet's kill grace: instances leave cleanly.
          SHUTDOWN_DRAIN_MS: '200',
        }),
  };
  for (const [key, value] of Object.entries(context.configuration)) {
    env[envKeyFor(configPath, `${configPath}/${key}`)] = value;
  }
  env.HEALTHGATE_SSM_CONFIG_PATH = configPath;
  Object.assign(env, version.environment);
  for (const [fault, value] of Object.entries(version.faults ?? {}) as [keyof MachineFaultSpec, unknown][]) {
    if (value === true) env[KNOBS[fault]] = '1';
    else if (typeof value === 'number' && value > 0) env[KNOBS[fault]] = String(value);
  }
  return { imageId: versionImageId(version), env };
}

/** The launch template data (UserData base64, as EC2 carries it). */
export function launchTemplateData(
  version: VersionSpec,
  context: VersionLaunchContext,
): { ImageId: string; UserData: string } {
  const { imageId, env } = versionLaunchData(version, context);
  return {
    ImageId: imageId,
    UserData: Buffer.from(formatUserData(env, `healthgate ${version.name}`)).toString('base64'),
  };
}

/** A short account of what is special about a version, for the timeline: its description, or its faults. */
export function describeVersion(version: VersionSpec): string {
  if (version.description) return version.description;
  const parts = [
    ...(version.command ? [`command: ${version.command}`] : []),
    ...Object.entries(version.faults ?? {}).map(([k, v]) => (v === true ? k : `${k} ${v}`)),
    ...(version.configuration?.missing?.length
      ? [`missing ${version.configuration.missing.join(', ')}`]
      : []),
    ...(version.unappliedMigrations?.length ? [`unapplied ${version.unappliedMigrations.join(', ')}`] : []),
  ];
  return parts.join('; ');
}
