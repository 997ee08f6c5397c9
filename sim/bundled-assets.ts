/**
 * What the packaged `healthgate` (npm run build) ships inside or beside its bundle: the built-in scenario files
 * and the demo app's prebuilt images. Empty when running from the sources, which read and build them in place;
 * scripts/bundle-cli.ts replaces this module in the bundle with one that fills it.
 */

/** One embedded scenario file. */
export interface BundledScenarioFile {
  file: string;
  text: string;
}

export interface BundledAssets {
  /** The built-in scenario files, embedded. */
  scenarios?: readonly BundledScenarioFile[];
  /** The directory of prebuilt images (`<imageId>/serve.mjs`, `<imageId>/migrate.mjs`). */
  imageDir?: string;
}

export const BUNDLED_ASSETS: BundledAssets = {};
