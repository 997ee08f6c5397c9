/**
 * The built-in scenarios `healthgate rehearse --scenario NAME` runs: the files of sim/scenarios/builtin/, read
 * and validated as any user's scenario file is. Add one by adding a file there.
 */
import { readBuiltinScenarioFiles } from './builtin-files';
import { parseScenarioText } from './load';
import type { Scenario } from './types';

/** The scenario `healthgate rehearse` (and `npm start`) runs without arguments. */
export const DEFAULT_SCENARIO = 'rollout';

/** What `healthgate rehearse --app "<command>"` runs when no scenario is named. */
export const APP_SCENARIO = 'your-app';

function loadBuiltins(): Scenario[] {
  const scenarios = readBuiltinScenarioFiles().map(({ file, text }) => {
    const scenario = parseScenarioText(text, `built-in ${file}`);
    if (`${scenario.name}.yaml` !== file) {
      throw new Error(
        `built-in ${file} names its scenario ${scenario.name}: the file must be ${scenario.name}.yaml`,
      );
    }
    return scenario;
  });
  // The default first, as `--list` shows it.
  return scenarios.sort((a, b) => Number(b.name === DEFAULT_SCENARIO) - Number(a.name === DEFAULT_SCENARIO));
}

/** Every built-in scenario, the default first. */
export const SCENARIOS: readonly Scenario[] = loadBuiltins();

/** A built-in scenario by name, or undefined. */
export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
