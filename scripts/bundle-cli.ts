/**
 * The packaged `healthgate` command: one ESM bundle run with plain `node` (no tsx, no development dependency),
 * the built-in scenario files embedded in it, and the demo app's images prebuilt beside it, so a rehearsal
 * builds nothing at run time. Packages stay imports resolved from the production node_modules, as the app's own
 * bundles do (scripts/bundle.ts).
 */
import { chmod, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import type { BundledScenarioFile } from '../sim/bundled-assets';
import { buildImage } from '../sim/fleet/images';
import { EXTRA_MIGRATIONS, type ExtraMigration } from '../sim/fleet/migrations';
import { BASE_IMAGE, versionImageId } from '../sim/scenarios/fleet-data';
import { bundleNode } from './bundle';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ASSETS_MODULE = path.join(ROOT, 'sim/bundled-assets.ts');
const BUILTIN_DIR = path.join(ROOT, 'sim/scenarios/builtin');

/** Where `npm run build` writes the command. */
export const DEFAULT_CLI_OUT_DIR = path.join(ROOT, 'dist', 'healthgate');

/** What {@link buildCli} wrote. */
export interface CliBuild {
  /** `node <entry> <command>` runs healthgate. */
  entry: string;
  /** The prebuilt images, by id. */
  images: string[];
}

/** Fills sim/bundled-assets.ts: the scenario files' texts, and the images' directory beside the bundle. */
function bundledAssetsPlugin(scenarios: readonly BundledScenarioFile[]): Plugin {
  return {
    name: 'healthgate-bundled-assets',
    setup(build) {
      build.onLoad({ filter: /bundled-assets\.ts$/ }, (args) => {
        if (path.resolve(args.path) !== ASSETS_MODULE) return undefined;
        return {
          contents: [
            "import { fileURLToPath } from 'node:url';",
            `export const BUNDLED_ASSETS = { scenarios: ${JSON.stringify(scenarios)}, imageDir: fileURLToPath(new URL('./images/', import.meta.url)) };`,
          ].join('\n'),
          loader: 'ts',
        };
      });
    },
  };
}

/**
 * Builds `<outDir>/healthgate.mjs` (executable, with a source map) and `<outDir>/images/<id>/`. The directory must
 * sit inside a tree whose node_modules holds the production dependencies.
 *
 * @example
 * const { entry } = await buildCli('dist/healthgate');
 */
export async function buildCli(outDir = DEFAULT_CLI_OUT_DIR): Promise<CliBuild> {
  const files = (await readdir(BUILTIN_DIR)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const scenarios = await Promise.all(
    files.map(async (file) => ({ file, text: await readFile(path.join(BUILTIN_DIR, file), 'utf8') })),
  );
  await bundleNode({
    entryPoints: { healthgate: path.join(ROOT, 'cli/bin.ts') },
    outDir,
    sourcemap: true,
    banner: '#!/usr/bin/env node',
    plugins: [bundledAssetsPlugin(scenarios)],
  });
  const entry = path.join(outDir, 'healthgate.mjs');
  await chmod(entry, 0o755);
  // Every image a demo version can name: the app as is, and each build shipping an extra migration.
  const specs = [
    { imageId: BASE_IMAGE },
    ...(Object.keys(EXTRA_MIGRATIONS) as ExtraMigration[]).map((m) => ({
      imageId: versionImageId({ name: 'any', unappliedMigrations: [m] }),
      extraMigrations: [m],
    })),
  ];
  const imageDir = path.join(outDir, 'images');
  for (const spec of specs) await buildImage(spec, imageDir);
  return { entry, images: specs.map((s) => s.imageId) };
}
