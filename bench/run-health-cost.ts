/**
 * `npm run bench:health-cost [-- --baseline <commit>] [--after <commit>] [--rounds N] [--label text]
 * [--profile <dir>]`: only the side-by-side health-cost run (about a minute; two with a baseline), for measuring
 * one change at a time. `--baseline` runs that commit's app in the same rounds ("before"); `--after` runs that
 * commit's app instead of this checkout's; `--profile` makes the "after" app write a V8 CPU profile
 * (`--cpu-prof`) into `<dir>` when it stops. Writes bench/results/health-cost.json and .md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { measureHealthCost } from './health-cost';
import { machine } from './machine';
import { renderHealthCost } from './report';

const RESULTS_DIR = path.resolve(import.meta.dirname, 'results');
const { values } = parseArgs({
  options: {
    profile: { type: 'string' },
    rounds: { type: 'string' },
    label: { type: 'string' },
    baseline: { type: 'string' },
    after: { type: 'string' },
  },
});
const say = (line: string) => process.stdout.write(`${line}\n`);

const facts = machine();
const takenAt = new Date().toISOString();
const profileDir = values.profile ? path.resolve(values.profile) : undefined;
const result = await measureHealthCost(
  {
    rounds: values.rounds ? Number(values.rounds) : undefined,
    baselineCommit: values.baseline,
    afterCommit: values.after,
    execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : undefined,
  },
  say,
);
const loadAfter = machine().loadAverage1m;
const report = {
  takenAt,
  machine: facts,
  loadAverage1mAfter: loadAfter,
  label: values.label,
  healthCost: result,
};
await mkdir(RESULTS_DIR, { recursive: true });
await writeFile(path.join(RESULTS_DIR, 'health-cost.json'), `${JSON.stringify(report, null, 2)}\n`);
const markdown = renderHealthCost(report);
await writeFile(path.join(RESULTS_DIR, 'health-cost.md'), markdown);
say(markdown);
