/** The local fleet: app processes (or light in-process instances) on loopback addresses, their images and faults. */
export { COMMAND_WATCHDOG, type CommandImage, isCommandImage } from './command-image';
export { fleetByImage } from './fleet-by-image';
export {
  type BuiltImage,
  buildImage,
  DEFAULT_IMAGE_DIR,
  ImageBuildError,
  type ImageSpec,
  MigrationRunError,
  runMigrations,
} from './images';
export { type ImdsIdentity, type ImdsServer, startImds } from './imds';
export {
  createLightFleet,
  type LightFleet,
  type LightFleetEvent,
  type LightFleetOptions,
  type LightInstance,
  UnknownInstanceError,
} from './light-fleet';
export { isLightImage, type LightBehaviour, LightHealth, type LightImage } from './light-image';
export { type LightServer, type LightServerOptions, startLightServer } from './light-server';
export { EXTRA_MIGRATIONS, type ExtraMigration } from './migrations';
export {
  createProcessFleet,
  type FleetEvent,
  FleetLaunchError,
  type FleetProcess,
  impostorId,
  type ProcessFleet,
  type ProcessFleetOptions,
} from './process-fleet';
export { formatUserData, type MachineFaults, parseUserData, SimKnob, splitUserData } from './user-data';
