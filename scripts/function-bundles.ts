/**
 * The functions as Lambda receives them: `osls package` (serverless.yml, offline, no AWS call) writes one zip per
 * function; each holds the function's ESM bundle and its source map. Shared by the packaging test, the
 * integration test that runs the packaged bundles against the sim, and the footprint benchmark.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readZip } from './zip';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Each function of serverless.yml, by its name there: its zip and the bundle inside it. */
export const FUNCTION_BUNDLES = {
  launchGate: { zip: 'launchGate.zip', bundle: 'functions/launch-gate.mjs' },
  rollbackCheck: { zip: 'rollbackCheck.zip', bundle: 'functions/rollback-check.mjs' },
} as const;
export type FunctionName = keyof typeof FUNCTION_BUNDLES;

/** The rendered template `osls package` writes beside the zips. */
export const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';

/**
 * Runs `osls package --package <outDir>` in the repository (or in `root`, a copy of another commit's tree with
 * node_modules): offline and anonymous (no telemetry, no notifications, dummy credentials; packaging never calls
 * AWS). Resolves with its duration in ms.
 */
export async function packageFunctions(outDir: string, root = ROOT): Promise<number> {
  const started = Date.now();
  await run(
    process.execPath,
    [path.join(root, 'node_modules/osls/bin/serverless.js'), 'package', '--package', outDir],
    {
      cwd: root,
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return Date.now() - started;
}

/** One function's packaged artefacts, as written out by {@link extractBundle}. */
export interface ExtractedBundle {
  /** The bundle's path (import it with its file URL). */
  bundle: string;
  bundleBytes: number;
  /** The zip's size, as Lambda receives it. */
  zipBytes: number;
  /** Every file in the zip, by its path there. */
  files: string[];
}

/**
 * Writes a packaged function's files (from `<outDir>/<zip>`) under `<intoDir>/<name>/`, keeping their paths, so
 * the bundle finds its source map as Lambda's runtime would.
 */
export async function extractBundle(
  outDir: string,
  name: FunctionName,
  intoDir: string,
): Promise<ExtractedBundle> {
  const spec = FUNCTION_BUNDLES[name];
  const zip = await readFile(path.join(outDir, spec.zip));
  const files = readZip(zip);
  const code = files.get(spec.bundle);
  if (!code) throw new Error(`${spec.zip} holds no ${spec.bundle}`);
  for (const [file, data] of files) {
    const target = path.join(intoDir, name, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, data);
  }
  return {
    bundle: path.join(intoDir, name, spec.bundle),
    bundleBytes: code.length,
    zipBytes: zip.length,
    files: [...files.keys()],
  };
}
