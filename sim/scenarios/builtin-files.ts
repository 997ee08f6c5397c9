/**
 * The built-in scenario files' texts. Read from sim/scenarios/builtin/ beside this module; the packaged
 * `healthgate` (scripts/bundle-cli.ts) replaces this module with one that embeds the same files, so the one
 * source of truth ships inside the bundle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One built-in scenario file. */
export interface BuiltinScenarioFile {
  /** `rollout.yaml`. */
  file: string;
  text: string;
}

const DIR = fileURLToPath(new URL('./builtin/', import.meta.url));

/** Every file of the built-in directory, by name. */
export function readBuiltinScenarioFiles(): BuiltinScenarioFile[] {
  return readdirSync(DIR)
    .filter((file) => /\.(ya?ml|json)$/.test(file))
    .sort()
    .map((file) => ({ file, text: readFileSync(`${DIR}${file}`, 'utf8') }));
}
