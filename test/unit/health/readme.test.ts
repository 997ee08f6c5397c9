/**
 * The documentation names every option the code takes: each options interface's fields appear in the package
 * README's table for it, and the health library reference's (docs/health-library.md) one-line signatures of the built-in checks list them all.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFile(path.join(ROOT, file), 'utf8');

/** The field names of `interface <name> { … }` in `file` (top-level members only). */
async function fieldsOf(file: string, name: string): Promise<string[]> {
  const text = await read(file);
  const start = text.indexOf(`interface ${name} `);
  expect(start, `${name} in ${file}`).toBeGreaterThan(-1);
  const body = text.slice(text.indexOf('{', start) + 1);
  const fields: string[] = [];
  let depth = 0;
  for (const line of body.split('\n')) {
    if (depth === 0) {
      const field = /^ {2}(?:readonly )?([a-zA-Z]+)\??[:(]/.exec(line)?.[1];
      if (field) fields.push(field);
      if (/^}/.test(line)) break;
    }
    depth += (line.match(/[{(]/g) ?? []).length - (line.match(/[})]/g) ?? []).length;
  }
  return fields;
}

/** The first-column names of the markdown table that follows `heading` in `text`. */
function tableAfter(text: string, heading: string): string[] {
  const at = text.indexOf(heading);
  expect(at, heading).toBeGreaterThan(-1);
  const rows = text.slice(at).split('\n').slice(1);
  const first = rows.findIndex((row) => row.startsWith('|'));
  const names: string[] = [];
  for (const row of rows.slice(first + 2)) {
    if (!row.startsWith('|')) break;
    const name = /^\|\s*`([a-zA-Z]+)`/.exec(row)?.[1];
    if (name) names.push(name);
  }
  return names;
}

const TABLES = [
  ['shared/health/checks/required-config.ts', 'RequiredConfigCheckOptions', '`requiredConfigCheck(options)`'],
  ['shared/health/checks/database.ts', 'DatabaseCheckOptions', '`databaseCheck(options)`'],
  ['shared/health/checks/migrations.ts', 'MigrationsCheckOptions', '`migrationsCheck(options)`'],
  ['shared/health/checks/page-renders.ts', 'PageRendersCheckOptions', '`pageRendersCheck(options)`'],
  ['shared/health/runner.ts', 'HealthRunnerOptions', '`createHealthRunner(options)` returns'],
  ['shared/health/handler.ts', 'HealthHandlerOptions', 'Every adapter takes the core handler'],
  ['shared/health/types.ts', 'HealthAuth', '`auth: { token?, header?, cidrs? }`'],
  ['shared/health/handler.ts', 'HealthRequest', '`createHealthHandler(options)` takes'],
] as const;

describe('the health documentation names every option', () => {
  it.each(TABLES)('%s %s: the package README table lists every field', async (file, name, heading) => {
    const fields = await fieldsOf(file, name);
    expect(fields.length).toBeGreaterThan(0);
    const documented = tableAfter(await read('packages/health/README.md'), heading);
    expect(documented.sort()).toEqual([...fields].sort());
  });

  it.each([
    ['shared/health/checks/required-config.ts', 'RequiredConfigCheckOptions', 'requiredConfigCheck'],
    ['shared/health/checks/database.ts', 'DatabaseCheckOptions', 'databaseCheck'],
    ['shared/health/checks/migrations.ts', 'MigrationsCheckOptions', 'migrationsCheck'],
    ['shared/health/checks/page-renders.ts', 'PageRendersCheckOptions', 'pageRendersCheck'],
  ])('%s: the reference signature of %s lists every option', async (file, name, factory) => {
    const readme = await read('docs/health-library.md');
    const signature = new RegExp(`\`${factory}\\(\\{([^}]*)\\}\\)\``).exec(readme)?.[1] ?? '';
    const documented = signature.split(',').map((part) => /([a-zA-Z]+)/.exec(part)?.[1]);
    expect(documented.sort()).toEqual((await fieldsOf(file, name)).sort());
  });
});
