/**
 * `npm start`: plays a whole canary deployment on this machine and checks it went as expected.
 *
 *   npm start                          the default scenario (`rollout`)
 *   npm start -- --scenario NAME       another scenario; `--list` names them
 *   npm start -- --report-dir DIR      where <scenario>.json and <scenario>.html go (default reports/)
 *   npm start -- --json                the JSON report on stdout instead of the live timeline
 *   npm start -- --function-logs       the gate's own log lines too
 *
 * Exit codes: 0 every outcome as expected, 1 a mismatch (named) or a failed run, 2 a usage error.
 */
import { parseArgs } from 'node:util';
import type { RunEntry, ScenarioReport } from '../report/types';
import { writeReports } from '../report/write';
import { DEFAULT_SCENARIO, findScenario, SCENARIOS } from '../scenarios/catalog';
import { runScenario } from '../scenarios/run';

/** The command's exit codes. */
export const StartExitCode = { ok: 0, mismatch: 1, usage: 2 } as const;

const colours = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, text: string) => (colours ? `\u001b[${code}m${text}\u001b[0m` : text);
const TONE_COLOUR: Record<RunEntry['tone'], string> = { info: '0', good: '32', bad: '31', step: '1' };

/** One timeline line: time, instance or group, what happened. */
export function formatEntry(entry: RunEntry): string {
  const time = `${(entry.t / 1000).toFixed(1).padStart(6)}s`;
  const who = (entry.instanceId ?? entry.group ?? entry.source).padEnd(19);
  return `${paint('2', time)}  ${paint('36', who)}  ${paint(TONE_COLOUR[entry.tone], entry.text)}`;
}

/** The closing summary: expectations, the reports' paths, the verdict of the run. */
export function formatSummary(report: ScenarioReport, paths?: { json: string; html: string }): string {
  const lines = ['', `expected outcomes of ${report.scenario}:`];
  for (const e of report.expectations) {
    const mark = e.ok ? paint('32', '✓') : paint('31', '✗');
    lines.push(
      `  ${mark} step ${e.step} ${e.what}: ${e.ok ? e.actual : `expected ${e.expected}, got ${e.actual}`}`,
    );
  }
  if (report.error) lines.push(`  ${paint('31', '✗')} the run failed: ${report.error}`);
  if (paths) lines.push('', `reports: ${paths.json}`, `         ${paths.html}`);
  const mismatches = report.expectations.filter((e) => !e.ok).length + (report.error ? 1 : 0);
  lines.push(
    '',
    report.passed
      ? paint(
          '32',
          `${report.scenario}: every outcome as expected (${(report.durationMs / 1000).toFixed(1)} s)`,
        )
      : paint(
          '31',
          `${report.scenario}: ${mismatches} mismatch(es) (${(report.durationMs / 1000).toFixed(1)} s)`,
        ),
  );
  return `${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  let values: {
    scenario?: string;
    list?: boolean;
    'report-dir'?: string;
    json?: boolean;
    'function-logs'?: boolean;
    seed?: string;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string', short: 's' },
        list: { type: 'boolean' },
        'report-dir': { type: 'string' },
        json: { type: 'boolean' },
        'function-logs': { type: 'boolean' },
        seed: { type: 'string' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return StartExitCode.usage;
  }
  if (values.list) {
    const width = Math.max(...SCENARIOS.map((s) => s.name.length));
    for (const s of SCENARIOS) {
      process.stdout.write(
        `${s.name.padEnd(width)}  ${s.name === DEFAULT_SCENARIO ? '(default) ' : ''}${s.description}\n`,
      );
    }
    return StartExitCode.ok;
  }
  const name = values.scenario ?? DEFAULT_SCENARIO;
  const scenario = findScenario(name);
  if (!scenario) {
    process.stderr.write(
      `unknown scenario ${name}; --list names them: ${SCENARIOS.map((s) => s.name).join(', ')}\n`,
    );
    return StartExitCode.usage;
  }
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) {
    process.stderr.write(`--seed must be an integer, got ${values.seed}\n`);
    return StartExitCode.usage;
  }
  const report = await runScenario(scenario, {
    seed,
    functionLogs: values['function-logs'] ?? false,
    ...(values.json ? {} : { onEntry: (entry: RunEntry) => process.stdout.write(`${formatEntry(entry)}\n`) }),
  });
  const paths = await writeReports(report, values['report-dir'] ?? 'reports');
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(formatSummary(report, paths));
  return report.passed ? StartExitCode.ok : StartExitCode.mismatch;
}

// Exit explicitly: a stray handle (an SDK socket, a timer) must not keep a finished run alive.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(StartExitCode.mismatch);
  },
);
