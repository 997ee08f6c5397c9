/**
 * Machine images for the local fleet: an image is one build of the app (esbuild, once per run), optionally with
 * migrations the app's own tree does not have yet, as a later release of the code would ship them. Instances
 * boot the image's bundle with plain `node`, which starts far faster than compiling TypeScript at each launch.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { bundleNode } from '../../scripts/bundle';
import { BUNDLED_ASSETS } from '../bundled-assets';
import { EXTRA_MIGRATIONS, type ExtraMigration } from './migrations';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MIGRATIONS_INDEX = path.join(ROOT, 'app/db/migrations/index.ts');

/** What an image contains beyond the app itself. */
export interface ImageSpec {
  imageId: string;
  /** Migrations this build ships on top of the app's own. */
  extraMigrations?: readonly ExtraMigration[];
}

/** A built image: the entry points an instance and a release step run. */
export interface BuiltImage {
  imageId: string;
  /** `node <serveEntry>` serves the app (with a parent watchdog). */
  serveEntry: string;
  /** `node <migrateEntry>` applies this build's migrations to the configured database. */
  migrateEntry: string;
  extraMigrations: readonly ExtraMigration[];
}

/** Failure to build an image. */
export class ImageBuildError extends Error {
  override readonly name = 'ImageBuildError';
  readonly imageId: string;

  constructor(imageId: string, options?: { cause?: unknown }) {
    super(`cannot build image ${imageId}`, options);
    this.imageId = imageId;
  }
}

/** Default output: under the repository, so the bundles resolve its node_modules. */
export const DEFAULT_IMAGE_DIR = path.join(ROOT, '.esbuild', 'sim-images');

/**
 * Builds an image's two bundles with the production build's settings (scripts/bundle.ts): packages stay
 * external (native modules such as better-sqlite3 cannot be bundled); only the app's own sources are.
 *
 * @example
 * const image = await buildImage({ imageId: 'ami-v3', extraMigrations: ['0003_add_meter_reads'] });
 */
export async function buildImage(spec: ImageSpec, outDir = DEFAULT_IMAGE_DIR): Promise<BuiltImage> {
  const extras = spec.extraMigrations ?? [];
  if (BUNDLED_ASSETS.imageDir) {
    // The packaged command ships its images built: no esbuild at run time.
    const prebuilt = path.join(BUNDLED_ASSETS.imageDir, spec.imageId);
    if (!existsSync(path.join(prebuilt, 'serve.mjs'))) {
      throw new ImageBuildError(spec.imageId, { cause: new Error(`no prebuilt image in ${prebuilt}`) });
    }
    return {
      imageId: spec.imageId,
      serveEntry: path.join(prebuilt, 'serve.mjs'),
      migrateEntry: path.join(prebuilt, 'migrate.mjs'),
      extraMigrations: extras,
    };
  }
  const dir = path.join(outDir, spec.imageId);
  try {
    await bundleNode({
      entryPoints: {
        serve: path.join(ROOT, 'sim/fleet/instance-entry.ts'),
        migrate: path.join(ROOT, 'sim/fleet/migrate-entry.ts'),
      },
      outDir: dir,
      plugins: extras.length > 0 ? [extraMigrationsPlugin(extras)] : [],
    });
  } catch (error) {
    throw new ImageBuildError(spec.imageId, { cause: error });
  }
  return {
    imageId: spec.imageId,
    serveEntry: path.join(dir, 'serve.mjs'),
    migrateEntry: path.join(dir, 'migrate.mjs'),
    extraMigrations: extras,
  };
}

/** Appends the image's extra migrations to the app's migration table at build time. */
function extraMigrationsPlugin(extras: readonly ExtraMigration[]): Plugin {
  return {
    name: 'healthgate-extra-migrations',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /app[\\/]db[\\/]migrations[\\/]index\.ts$/ }, async (args) => {
        if (path.resolve(args.path) !== MIGRATIONS_INDEX) return undefined;
        const original = await readFile(args.path, 'utf8');
        const lines = extras.map(
          (name, i) =>
            `import * as __extra${i} from ${JSON.stringify(EXTRA_MIGRATIONS[name])};\nMIGRATIONS[${JSON.stringify(name)}] = __extra${i};`,
        );
        return {
          contents: `${original}\n${lines.join('\n')}\n`,
          loader: 'ts',
          resolveDir: path.dirname(args.path),
        };
      });
    },
  };
}

/** A release step that failed (the migrate process exited non-zero). */
export class MigrationRunError extends Error {
  override readonly name = 'MigrationRunError';
  readonly imageId: string;
  readonly output: string;

  constructor(imageId: string, output: string, options?: { cause?: unknown }) {
    super(`migrations of image ${imageId} failed: ${output.trim().split('\n').at(-1) ?? ''}`, options);
    this.imageId = imageId;
    this.output = output;
  }
}

/**
 * Runs an image's release step: its migrations against the database `env` names (`SQLITE_PATH` or
 * `DATABASE_URL`, plus the app's required keys), as a deploy would before instances of the image boot.
 *
 * @example
 * await runMigrations(images.get('ami-v1')!, { SQLITE_PATH: '/tmp/shared.sqlite', SECRET_KEY: 'k' });
 */
export async function runMigrations(image: BuiltImage, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [image.migrateEntry],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (error) reject(new MigrationRunError(image.imageId, output, { cause: error }));
        else resolve(output);
      },
    );
  });
}
