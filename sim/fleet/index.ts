/** The local fleet: app processes on loopback addresses, their images and their machine faults. */
export { COMMAND_WATCHDOG, type CommandImage, isCommandImage } from './command-image';
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
