/**
 * The app's node bundles: one esbuild setup shared by the production build (`npm run build`) and the local
 * fleet's images (sim/fleet/images.ts), so both run the same kind of artefact.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where `npm run build` writes the app's bundles. */
export const DEFAULT_APP_OUT_DIR = path.join(ROOT, 'dist', 'app');

/** The app's command-line entry points, by bundle name (`<name>.mjs`). */
export const APP_ENTRY_POINTS = {
  serve: path.join(ROOT, 'app/cli/serve.ts'),
  migrate: path.join(ROOT, 'app/cli/migrate.ts'),
} as const;

/** Options of {@link bundleNode}. */
export interface BundleNodeOptions {
  /** Bundle name → source file; each becomes `<outDir>/<name>.mjs`. */
  entryPoints: Record<string, string>;
  outDir: string;
  /** Writes `<name>.mjs.map` beside each bundle (stack traces name the TypeScript sources). */
  sourcemap?: boolean;
  plugins?: Plugin[];
  /** Text put first in each bundle (a `#!` line). */
  banner?: string;
}

/**
 * Bundles entry points into ESM for Node.js 20+. Only the repository's own sources are bundled: every package
 * stays an import resolved from node_modules at run time (better-sqlite3 is a native addon, pg's optional
 * pg-native must stay optional), so a bundle needs the production node_modules beside or above it, and no
 * `require` shim.
 *
 * @example
 * await bundleNode({ entryPoints: APP_ENTRY_POINTS, outDir: 'dist/app', sourcemap: true });
 */
export async function bundleNode(options: BundleNodeOptions): Promise<void> {
  // Loaded when a build runs: the packaged command imports this module's users but never builds.
  const { build } = await import('esbuild');
  await build({
    entryPoints: options.entryPoints,
    outdir: options.outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: options.sourcemap ?? false,
    logLevel: 'silent',
    plugins: options.plugins ?? [],
    ...(options.banner ? { banner: { js: options.banner } } : {}),
  });
}

/** The production bundles `npm run build` writes. */
export interface AppBuild {
  /** `node <serve>` serves the app (`npm run app` without tsx). */
  serve: string;
  /** `node <migrate>` applies pending migrations (`npm run migrate` without tsx). */
  migrate: string;
}

/**
 * Builds the app's production bundles (`serve.mjs`, `migrate.mjs`, with source maps) into `outDir`. The
 * directory must sit inside a tree whose node_modules holds the app's dependencies.
 */
export async function buildApp(outDir = DEFAULT_APP_OUT_DIR): Promise<AppBuild> {
  await bundleNode({ entryPoints: APP_ENTRY_POINTS, outDir, sourcemap: true });
  return { serve: path.join(outDir, 'serve.mjs'), migrate: path.join(outDir, 'migrate.mjs') };
}
