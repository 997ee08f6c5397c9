/**
 * `npm run build [-- --out-dir <dir>]`: bundle the app's CLIs into `dist/app/serve.mjs` and
 * `dist/app/migrate.mjs` (default out dir), which production runs with plain `node`, and the `healthgate`
 * command into `dist/healthgate/healthgate.mjs` (beside the app's directory) with its prebuilt images.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp, DEFAULT_APP_OUT_DIR } from './bundle';
import { buildCli } from './bundle-cli';

const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
const outDir = path.resolve(values['out-dir'] ?? DEFAULT_APP_OUT_DIR);
const started = performance.now();
try {
  const built = await buildApp(outDir);
  const cli = await buildCli(path.join(path.dirname(outDir), 'healthgate'));
  const ms = Math.round(performance.now() - started);
  for (const file of [built.serve, built.migrate, cli.entry]) {
    const { size } = await stat(file);
    process.stdout.write(`${path.relative(process.cwd(), file) || file}  ${(size / 1024).toFixed(1)} KiB\n`);
  }
  process.stdout.write(`images: ${cli.images.join(', ')}\nbuilt in ${ms} ms\n`);
} catch (error) {
  const err = error as Error;
  process.stderr.write(`healthgate build: failed: ${err.name}: ${err.message}\n`);
  process.exitCode = 1;
}
