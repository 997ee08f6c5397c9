/**
 * The built-in scenario files' texts: read from sim/scenarios/builtin/ beside this module, or, in the packaged
 * `healthgate`, the same files embedded in its bundle (sim/bundled-assets.ts): one source of truth either way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUNDLED_ASSETS } from '../bundled-assets';

/** One built-in scenario file. */
export interface BuiltinScenarioFile {
  /** `rollout.yaml`. */
  file: string;
  text: string;
}

const DIR = fileURLToPath(new URL('./builtin/', import.meta.url));

/** Every file of the built-in directory, by name. */
export function readBuiltinScenarioFiles(): BuiltinScenarioFile[] {
  if (BUNDLED_ASSETS.scenarios) return [...BUNDLED_ASSETS.scenarios];
  return readdirSync(DIR)
    .filter((file) => /\.(ya?ml|json)$/.test(file))
    .sort()
    .map((file) => ({ file, text: readFileSync(`${DIR}${file}`, 'utf8') }));
}
