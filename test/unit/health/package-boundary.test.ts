/**
 * The library stands alone: every import in shared/health stays inside it (with the `.js` extension Node's ESM
 * resolution needs in the built package), or names node's built-ins or a package the package manifest
 * declares; every entry point the manifest exports has its source.
 */
import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SOURCE = path.join(ROOT, 'shared/health');
const MANIFEST = path.join(ROOT, 'packages/health/package.json');

interface Manifest {
  name: string;
  exports: Record<string, string | { types: string; default: string }>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)'([^']+)'/g;

describe('the health package boundary', () => {
  it('imports stay inside shared/health, or are node built-ins or declared dependencies', async () => {
    const manifest = JSON.parse(await readFile(MANIFEST, 'utf8')) as Manifest;
    const declared = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    const problems: string[] = [];
    const files = await sources(SOURCE);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const [, specifier = ''] of text.matchAll(SPECIFIER)) {
        const where = `${path.relative(ROOT, file)}: '${specifier}'`;
        if (specifier.startsWith('.')) {
          const target = path.resolve(path.dirname(file), specifier);
          if (!specifier.endsWith('.js')) problems.push(`${where} needs the .js extension`);
          if (!target.startsWith(`${SOURCE}${path.sep}`)) problems.push(`${where} leaves the package`);
        } else if (specifier.startsWith('node:')) {
          if (!builtinModules.includes(specifier.slice(5))) problems.push(`${where} is no built-in`);
        } else {
          const name = specifier.startsWith('@')
            ? specifier.split('/', 2).join('/')
            : specifier.split('/')[0];
          if (!declared.has(name ?? '')) problems.push(`${where} is not declared in ${manifest.name}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('each exported entry point has its source, with types beside the code', async () => {
    const manifest = JSON.parse(await readFile(MANIFEST, 'utf8')) as Manifest;
    const files = new Set((await sources(SOURCE)).map((f) => path.relative(SOURCE, f)));
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'string') continue;
      expect(target.types, subpath).toBe(target.default.replace(/\.js$/, '.d.ts'));
      expect(files.has(target.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts')), subpath).toBe(
        true,
      );
    }
    expect(Object.keys(manifest.exports)).toEqual([
      '.',
      './fastify',
      './express',
      './node',
      './package.json',
    ]);
  });
});
