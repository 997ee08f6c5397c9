/**
 * `npm run bench:footprint [-- --runs N] [--baseline <commit>] [--quick]`: the functions' footprint as Lambda
 * receives them (issue 11). `osls package` builds this checkout's zips (and, with `--baseline`, that commit's, in
 * a copy of its tree); for each bundle the report gives its size, its zip's size, its cold import (a fresh
 * `node` that imports it, timed from spawn to exit, against the same `node` importing nothing) and the peak RSS
 * of that process. The processes run in turn, the order rotated each round, `runs` rounds (default 12, at least
 * 10); each round's difference and ratio to bare node are taken within the round and their medians reported.
 * Calls per gated launch come from the latest `npm run bench:gate` (bench/results/gate-latest.json).
 *
 * About a minute (two with a baseline). Writes bench/results/footprint-latest.json and .md; `--quick` (3 rounds)
 * writes nothing.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import {
  extractBundle,
  FUNCTION_BUNDLES,
  type FunctionName,
  packageFunctions,
} from '../scripts/function-bundles';
import { type FootprintResults, renderFootprint, type Target } from './footprint-report';
import type { GateBenchResults } from './gate-report';
import { machine } from './machine';
import { median } from './stats';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const say = (line: string) => process.stdout.write(`${line}\n`);

const { values } = parseArgs({
  options: { runs: { type: 'string' }, baseline: { type: 'string' }, quick: { type: 'boolean' } },
});
const runs = values.quick ? 3 : Number(values.runs ?? 12);
if (!Number.isInteger(runs) || runs < (values.quick ? 1 : 10) || runs > 100) {
  process.stderr.write(`--runs: a whole number from 10 to 100, not ${values.runs}\n`);
  process.exit(2);
}

/**
 * The environment a cold start has on Lambda, with nothing reachable: the launch gate refuses to load without
 * its queue's URL (never contacted here). Node 20's "SDK wants Node 22" warning is silenced: nodejs22.x never
 * prints it.
 */
const IMPORT_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_EC2_METADATA_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  STEP_QUEUE_URL: 'http://127.0.0.1:9/000000000000/healthgate-steps',
  NODE_NO_WARNINGS: '1',
};

/** One timed process: spawn to exit in ms, and its peak RSS in MiB as the process itself read it at the end. */
function timeImport(bundle: string | undefined): Promise<{ ms: number; peakRssMiB: number }> {
  const body = bundle ? `await import(${JSON.stringify(pathToFileURL(bundle).href)});` : '';
  // resourceUsage().maxRSS is the process's peak so far, in KiB: read after the import, it covers it.
  const script = `${body} process.stdout.write(String(process.resourceUsage().maxRSS));`;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: IMPORT_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (code !== 0)
        reject(new Error(`import of ${bundle ?? 'nothing'} exited ${code}: ${err.slice(0, 500)}`));
      else resolve({ ms, peakRssMiB: Number(out.trim()) / 1024 });
    });
  });
}

/** A copy of `commit`'s tree (git archive) beside this checkout's node_modules, packaged into `<dir>/package`. */
async function packageCommit(commit: string, dir: string): Promise<string> {
  const { stdout } = await run('git', ['rev-parse', '--verify', `${commit}^{commit}`], { cwd: ROOT });
  const tree = path.join(dir, 'tree');
  await mkdir(tree, { recursive: true });
  const archive = path.join(dir, 'tree.tar');
  await run('git', ['archive', '--format=tar', '-o', archive, stdout.trim()], { cwd: ROOT, timeout: 60_000 });
  await run('tar', ['-xf', archive, '-C', tree], { timeout: 60_000 });
  await symlink(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
  const out = path.join(dir, 'package');
  await packageFunctions(out, tree);
  return out;
}

const work = await mkdtemp(path.join(tmpdir(), 'healthgate-footprint-'));
try {
  const facts = machine();
  const takenAt = new Date().toISOString();
  const { stdout: head } = await run('git', ['rev-parse', 'HEAD'], { cwd: ROOT });
  const packages: { label: string; dir: string }[] = [];
  say('packaging this checkout …');
  const current = path.join(work, 'current');
  await packageFunctions(current);
  packages.push({ label: 'this checkout', dir: current });
  if (values.baseline) {
    say(`packaging ${values.baseline} …`);
    packages.push({
      label: values.baseline,
      dir: await packageCommit(values.baseline, path.join(work, 'baseline')),
    });
  }

  const targets: (Target & { bundle?: string })[] = [
    { name: 'bare node', source: '-', ms: [], peakRssMiB: [] },
  ];
  for (const [i, p] of packages.entries()) {
    for (const name of Object.keys(FUNCTION_BUNDLES) as FunctionName[]) {
      const extracted = await extractBundle(p.dir, name, path.join(work, `unzipped-${i}`));
      targets.push({
        name,
        source: p.label,
        bundle: extracted.bundle,
        bundleBytes: extracted.bundleBytes,
        zipBytes: extracted.zipBytes,
        ms: [],
        peakRssMiB: [],
      });
    }
  }

  // One warm-up of each (the file system's cache), not counted.
  for (const t of targets) await timeImport(t.bundle);
  for (let round = 0; round < runs; round++) {
    const order = targets.map((_, i) => (i + round) % targets.length);
    for (const i of order) {
      const t = targets[i]!;
      const { ms, peakRssMiB } = await timeImport(t.bundle);
      t.ms.push(ms);
      t.peakRssMiB.push(peakRssMiB);
    }
    say(`round ${round + 1}/${runs}`);
  }

  const bare = targets[0]!;
  const results: FootprintResults = {
    takenAt,
    source: { commit: head.trim(), ...(values.baseline ? { baseline: values.baseline } : {}) },
    machine: facts,
    loadAverage1mAfter: machine().loadAverage1m,
    runs,
    bareNode: { ms: median(bare.ms), peakRssMiB: median(bare.peakRssMiB) },
    bundles: targets.slice(1).map((t) => ({
      name: t.name,
      source: t.source,
      bundleBytes: t.bundleBytes!,
      zipBytes: t.zipBytes!,
      importMs: median(t.ms),
      overBareMs: median(t.ms.map((ms, r) => ms - bare.ms[r]!)),
      overBareRatio: median(t.ms.map((ms, r) => ms / bare.ms[r]!)),
      peakRssMiB: median(t.peakRssMiB),
      overBareRssMiB: median(t.peakRssMiB.map((m, r) => m - bare.peakRssMiB[r]!)),
    })),
    calls: await latestCalls(),
  };
  const markdown = renderFootprint(results);
  if (!values.quick) {
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeFile(path.join(RESULTS_DIR, 'footprint-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(path.join(RESULTS_DIR, 'footprint-latest.md'), markdown);
  }
  say(markdown);
} finally {
  await rm(work, { recursive: true, force: true });
}

/** Calls per gated launch from the latest gate bench, with the commit and time it measured. */
async function latestCalls(): Promise<FootprintResults['calls']> {
  try {
    const gate = JSON.parse(
      await readFile(path.join(RESULTS_DIR, 'gate-latest.json'), 'utf8'),
    ) as GateBenchResults;
    return {
      perLaunchAtDefaults: gate.defaults.calls.perLaunch,
      perLaunchAtScale: gate.scale.map((r) => r.limited.calls.perLaunch),
      byActionAtDefaults: gate.defaults.calls.byAction,
      takenAt: gate.takenAt,
      commit: gate.source.commit,
    };
  } catch {
    return null;
  }
}
