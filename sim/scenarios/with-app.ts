/** `healthgate rehearse --app "<command>"`: the user's command as the program of every version: pure. */
import { ScenarioFileError } from './load';
import type { Scenario } from './types';

/**
 * The scenario with `command` as the program of every version that names none. A version that ships demo
 * migrations cannot run another program: that is a problem of the scenario, named.
 *
 * @example
 * const scenario = withApp(findScenario('your-app')!, 'python3 app.py');
 */
export function withApp(scenario: Scenario, command: string, source = scenario.name): Scenario {
  const problems = scenario.versions.flatMap((v, i) =>
    !v.command && v.unappliedMigrations?.length
      ? [
          `versions[${i}].unappliedMigrations: version ${v.name} ships demo migrations, so it cannot run --app; choose a scenario without them (e.g. --scenario your-app)`,
        ]
      : [],
  );
  if (problems.length > 0) throw new ScenarioFileError(source, problems);
  return { ...scenario, versions: scenario.versions.map((v) => (v.command ? v : { ...v, command })) };
}
