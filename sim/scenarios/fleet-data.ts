/** A version's launch template data for the local fleet (image and UserData), from its fault profile: pure. */
import { formatUserData, SimKnob } from '../fleet/user-data';
import { FaultProfile, type VersionSpec } from './types';

/** The images a scenario needs: the app as is, and a build shipping migration 0003. */
export const IMAGES = {
  base: 'ami-healthgate-base',
  withMigration: 'ami-healthgate-0003',
} as const;

/** An SSM configuration path that holds the health token but no `secret-key`. */
export const CONFIG_PATH_WITHOUT_SECRET = '/healthgate/app-nokey';

/** Knob values of the fault profiles. */
export const FAULT_SETTINGS = {
  slowBootMs: 2_000,
  /** Far beyond any probe timeout. */
  hangingHealthMs: 600_000,
  /** Frozen 800 ms, running 800 ms: longer frozen than a probe interval, so no long run of passes. */
  flapPeriodMs: 800,
} as const;

/**
 * The environment and image of one version. Every version reads the shared database (`database`: its
 * `SQLITE_PATH` or `DATABASE_URL`) and never migrates at boot: applying migrations is the release step's job, as
 * in the seed.
 */
export function versionLaunchData(
  version: VersionSpec,
  database: Readonly<Record<string, string>>,
): { imageId: string; env: Record<string, string> } {
  const env: Record<string, string> = {
    APP_VERSION: version.name,
    RELEASE_ID: `release-${version.name}`,
    ...database,
    MIGRATE_ON_BOOT: '0',
    // A short drain on SIGTERM, within the fleet's kill grace: instances leave cleanly.
    SHUTDOWN_DRAIN_MS: '200',
  };
  let imageId: string = IMAGES.base;
  switch (version.fault) {
    case FaultProfile.none:
      break;
    case FaultProfile.missingConfig:
      env.HEALTHGATE_SSM_CONFIG_PATH = CONFIG_PATH_WITHOUT_SECRET;
      break;
    case FaultProfile.pendingMigration:
      imageId = IMAGES.withMigration;
      break;
    case FaultProfile.brokenHome:
      env.FAULT_BROKEN_HOME = '1';
      break;
    case FaultProfile.slowBoot:
      env[SimKnob.bootDelayMs] = String(FAULT_SETTINGS.slowBootMs);
      break;
    case FaultProfile.hangingHealth:
      env.FAULT_HEALTH_DELAY_MS = String(FAULT_SETTINGS.hangingHealthMs);
      break;
    case FaultProfile.flapping:
      env[SimKnob.flapPeriodMs] = String(FAULT_SETTINGS.flapPeriodMs);
      break;
    case FaultProfile.impostor:
      env[SimKnob.impostor] = '1';
      break;
  }
  return { imageId, env };
}

/** The launch template data (UserData base64, as EC2 carries it). */
export function launchTemplateData(
  version: VersionSpec,
  database: Readonly<Record<string, string>>,
): { ImageId: string; UserData: string } {
  const { imageId, env } = versionLaunchData(version, database);
  return {
    ImageId: imageId,
    UserData: Buffer.from(formatUserData(env, `healthgate ${version.name} (${version.fault})`)).toString(
      'base64',
    ),
  };
}
