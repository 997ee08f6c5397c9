/**
 * Reads a scenario file (YAML or JSON: YAML 1.2 reads both) into the runner's model, or fails with every problem
 * named by the path of its field. Nothing runs until a file has passed.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { PolicyError, parsePolicy, parsePolicyInput } from '../../shared/gate';
import { SCENARIO_POLICY } from './defaults';
import { formatIssues, formatPath } from './file-problems';
import { ScenarioFileSchema, toScenario } from './schema';
import type { Scenario } from './types';

/** A scenario file that cannot be used: one line per problem. */
export class ScenarioFileError extends Error {
  override readonly name = 'ScenarioFileError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${problems.length} problem(s) in the scenario`, options);
  }
}

/**
 * Parses and validates a scenario's text; `source` names it in errors.
 *
 * @example
 * const scenario = parseScenarioText(await readFile('rollout.yaml', 'utf8'), 'rollout.yaml');
 */
export function parseScenarioText(text: string, source: string): Scenario {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ScenarioFileError(
      source,
      document.errors.map((e) => `(file): not YAML or JSON: ${e.message.split('\n')[0]}`),
    );
  }
  const raw: unknown = document.toJS();
  const result = ScenarioFileSchema.safeParse(raw);
  if (!result.success) {
    throw new ScenarioFileError(source, formatIssues(result.error.issues, ScenarioFileSchema, raw), {
      cause: result.error,
    });
  }
  const problems = policyProblems(result.data);
  if (problems.length > 0) throw new ScenarioFileError(source, problems);
  return toScenario(result.data);
}

/** Reads and parses a scenario file. */
export async function loadScenarioFile(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ScenarioFileError(file, [`(file): cannot read it: ${(error as Error).message}`], {
      cause: error,
    });
  }
  return parseScenarioText(text, file);
}

/**
 * The gate's own validation of each policy override and of each version's effective policy (the runner's
 * defaults, the scenario's, the version's): unknown fields and cross-field rules, named where they were written.
 */
function policyProblems(file: {
  policy?: Record<string, unknown>;
  versions: readonly { name: string; policy?: Record<string, unknown> }[];
}): string[] {
  const problems: string[] = [];
  const collect = (path: (string | number)[], check: () => unknown) => {
    try {
      check();
      return true;
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      for (const issue of error.issues)
        problems.push(`${formatPath([...path, issue.field])}: ${issue.message}`);
      return false;
    }
  };
  const scenarioOk = collect(['policy'], () => parsePolicyInput(file.policy));
  for (const [i, version] of file.versions.entries()) {
    const path = ['versions', i, 'policy'];
    if (!collect(path, () => parsePolicyInput(version.policy)) || !scenarioOk) continue;
    // The port is the fleet's, chosen at run time: any valid one stands in for it here.
    collect(path, () => parsePolicy({ ...SCENARIO_POLICY, port: 8080, ...file.policy, ...version.policy }));
  }
  return problems;
}
