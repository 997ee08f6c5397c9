import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');

/** An earlier commit's app, unpacked beside this checkout so it can be measured in the same run. */
export interface BaselineTree {
  commit: string;
  /** Root of the unpacked tree: `bench/app-server.ts` there serves that commit's app. */
  root: string;
  remove(): Promise<void>;
}

/**
 * Unpacks `app/` and `shared/` of `commit` (git archive: nothing in this checkout changes) into a temporary
 * directory, with this checkout's node_modules and today's bench server, so "before" and "after" run in one
 * side-by-side measurement instead of on two different days.
 */
export async function unpackBaseline(commit: string): Promise<BaselineTree> {
  const { stdout } = await run('git', ['rev-parse', '--verify', `${commit}^{commit}`], { cwd: ROOT });
  const sha = stdout.trim();
  const root = await mkdtemp(path.join(tmpdir(), 'healthgate-baseline-'));
  const remove = () => rm(root, { recursive: true, force: true });
  try {
    const archive = path.join(root, 'tree.tar');
    await run(
      'git',
      ['archive', '--format=tar', '-o', archive, sha, 'app', 'shared', 'package.json', 'tsconfig.json'],
      {
        cwd: ROOT,
        timeout: 60_000,
      },
    );
    await run('tar', ['-xf', archive, '-C', root], { timeout: 60_000 });
    await rm(archive);
    await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    await mkdir(path.join(root, 'bench'));
    for (const file of ['app-server.ts', 'server-messages.ts']) {
      await copyFile(path.join(ROOT, 'bench', file), path.join(root, 'bench', file));
    }
    return { commit: sha, root, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
