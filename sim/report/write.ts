/** Writes a run's JSON and HTML reports. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderHtml } from './html';
import type { ScenarioReport } from './types';

/** Where a scenario's reports go. */
export function reportPaths(dir: string, scenario: string): { json: string; html: string } {
  return { json: path.join(dir, `${scenario}.json`), html: path.join(dir, `${scenario}.html`) };
}

/**
 * Writes `<dir>/<scenario>.json` and `<dir>/<scenario>.html`.
 *
 * @example
 * const { json, html } = await writeReports(report, 'reports');
 */
export async function writeReports(
  report: ScenarioReport,
  dir: string,
): Promise<{ json: string; html: string }> {
  const paths = reportPaths(dir, report.scenario);
  await mkdir(dir, { recursive: true });
  await writeFile(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(paths.html, renderHtml(report));
  return paths;
}
