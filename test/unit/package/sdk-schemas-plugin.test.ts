/**
 * The bundles' schema plugin (scripts/esbuild-plugins.cjs): what it changes in a module's text, that the SDK's
 * shapes it keeps evaluate exactly as before, that unused shapes go, and that a modelled error still arrives as
 * its class through a real client bundled with it.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '../../..');
const plugins = require(join(root, 'scripts/esbuild-plugins.cjs')) as Plugin[] & {
  markSchemaDeclarationsPure: (source: string) => { code: string; wrapped: number; unproven: number[] };
  SCHEMAS_MODULE: RegExp;
};
const EC2_SCHEMAS = join(root, 'node_modules/@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'healthgate-schemas-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Bundles `source` (an ES module resolved from the repository) the way serverless.yml does, with or without. */
async function bundle(
  name: string,
  source: string,
  withPlugin: boolean,
): Promise<{ file: string; bytes: number }> {
  const file = join(dir, `${name}-${withPlugin ? 'on' : 'off'}.mjs`);
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'js' },
    outfile: file,
    bundle: true,
    minify: true,
    mainFields: ['module', 'main'],
    platform: 'node',
    target: 'node22',
    format: 'esm',
    metafile: true,
    logLevel: 'silent',
    plugins: withPlugin ? plugins : [],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  return { file, bytes: Object.values(result.metafile.outputs).find((o) => o.entryPoint)!.bytes };
}

/**
 * Whether two schema values are the same structure: arrays and objects member by member; a function (a shape's
 * lazy reference to another) by what it returns. Pairs already under comparison count as equal (shapes recurse).
 */
function sameSchema(a: unknown, b: unknown, seen = new Map<unknown, unknown>()): boolean {
  if (typeof a === 'function' && typeof b === 'function') {
    if (seen.get(a) === b) return true;
    seen.set(a, b);
    return sameSchema(a(), b(), seen);
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => sameSchema((a as never)[k], (b as never)[k], seen));
}

describe('the SDK schemas plugin', () => {
  it('wraps top-level array and object declarations in a pure call and leaves every other statement as it was', () => {
    const source = [
      'const _a = "A";',
      'import { R } from "r";',
      'const registry = new R(_a);',
      'export var A$ = [3, _a, { [_a]: `x` }];',
      'var B = { [_a]: 1 };',
      'registry.registerError(A$, Error);',
      'export const list = [registry];',
      'let c = 1, d = [2];',
    ].join('\n');
    const { code, wrapped } = plugins.markSchemaDeclarationsPure(source);
    expect(wrapped).toBe(3);
    expect(code).toBe(
      [
        'const _a = "A";',
        'import { R } from "r";',
        'const registry = new R(_a);',
        'export var A$ = /* @__PURE__ */ (() => ([3, _a, { [_a]: `x` }]))();',
        'var B = /* @__PURE__ */ (() => ({ [_a]: 1 }))();',
        'registry.registerError(A$, Error);',
        'export const list = /* @__PURE__ */ (() => ([registry]))();',
        // Two declarators in one statement: left whole.
        'let c = 1, d = [2];',
      ].join('\n'),
    );
  });

  it('leaves whole, and reports, a declaration whose evaluation could run code', () => {
    const source = [
      'const _k = "K";',
      'let obj = {};',
      'export var Call$ = [3, make()];',
      'export var Spread$ = [...others];',
      'var Key$ = { [obj]: 1 };',
      'var Getter$ = { get x() { return 1; } };',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text holding a template with an expression.
      'var Tagged$ = [`a${_k}`];',
      'var Math$ = [64 | 0, -1, { [_k]: () => Call$ }];',
    ].join('\n');
    const { code, wrapped, unproven } = plugins.markSchemaDeclarationsPure(source);
    expect(unproven).toEqual([3, 4, 5, 6, 7]);
    expect(wrapped).toBe(2);
    expect(code).toContain('export var Call$ = [3, make()];');
    expect(code).toContain('var Math$ = /* @__PURE__ */ (() => ([64 | 0, -1, { [_k]: () => Call$ }]))();');
  });

  it('proves every declaration of the installed SDK schemas modules inert', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const files = (await readdir(join(root, 'node_modules/@aws-sdk'), { recursive: true }))
      .map((f) => join(root, 'node_modules/@aws-sdk', f))
      .filter((f) => plugins.SCHEMAS_MODULE.test(f));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const { wrapped, unproven } = plugins.markSchemaDeclarationsPure(await readFile(file, 'utf8'));
      expect(unproven, file).toEqual([]);
      expect(wrapped, file).toBeGreaterThan(0);
    }
  });

  it('applies to the schemas modules of every @aws-sdk client, and to nothing else', () => {
    const { SCHEMAS_MODULE } = plugins;
    expect(SCHEMAS_MODULE.test(EC2_SCHEMAS)).toBe(true);
    expect(SCHEMAS_MODULE.test('/x/node_modules/@aws-sdk/client-ssm/dist-es/schemas/schemas_0.js')).toBe(
      true,
    );
    expect(
      SCHEMAS_MODULE.test('C:\\x\\node_modules\\@aws-sdk\\client-sqs\\dist-es\\schemas\\schemas_0.js'),
    ).toBe(true);
    expect(
      SCHEMAS_MODULE.test(
        '/x/node_modules/@aws-sdk/nested-clients/dist-es/submodules/sts/schemas/schemas_0.js',
      ),
    ).toBe(true);
    expect(SCHEMAS_MODULE.test('/x/node_modules/@aws-sdk/client-ec2/dist-cjs/index.js')).toBe(false);
    expect(SCHEMAS_MODULE.test('/x/node_modules/@smithy/core/dist-es/submodules/schema/index.js')).toBe(
      false,
    );
    expect(SCHEMAS_MODULE.test('/x/shared/aws/schemas/ec2.js')).toBe(false);
  });

  it("keeps every EC2 shape's value as it was, and drops the shapes one operation does not reach", async () => {
    const all = `export * from ${JSON.stringify(EC2_SCHEMAS)};`;
    const [off, on] = await Promise.all([bundle('all', all, false), bundle('all', all, true)]);
    const before = (await import(pathToFileURL(off.file).href)) as Record<string, unknown>;
    const after = (await import(pathToFileURL(on.file).href)) as Record<string, unknown>;
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    const differing = Object.keys(before).filter((k) => !sameSchema(before[k], after[k]));
    expect(differing).toEqual([]);

    const one = `import { DescribeInstances$ } from ${JSON.stringify(EC2_SCHEMAS)}; export default DescribeInstances$;`;
    const [oneOff, oneOn] = await Promise.all([bundle('one', one, false), bundle('one', one, true)]);
    expect(oneOn.bytes).toBeLessThan(oneOff.bytes / 10);
    const shapeOff = (await import(pathToFileURL(oneOff.file).href)).default;
    const shapeOn = (await import(pathToFileURL(oneOn.file).href)).default;
    expect(sameSchema(shapeOn, shapeOff)).toBe(true);
  });

  it('still turns a modelled error into its class through a client bundled with it', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'ParameterNotFound', message: 'no such parameter' }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const { port } = server.address() as AddressInfo;
      const source = `
        import { SSMClient, GetParameterCommand, ParameterNotFound } from '@aws-sdk/client-ssm';
        export default async function read(endpoint) {
          const client = new SSMClient({ endpoint, region: 'us-east-1', maxAttempts: 1,
            credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
          try { await client.send(new GetParameterCommand({ Name: '/x' })); return 'no error'; }
          catch (e) { return { name: e.name, modelled: e instanceof ParameterNotFound, message: e.message }; }
        }`;
      const { file } = await bundle('ssm', source, true);
      const read = (await import(pathToFileURL(file).href)).default;
      expect(await read(`http://127.0.0.1:${port}`)).toEqual({
        name: 'ParameterNotFound',
        modelled: true,
        message: 'no such parameter',
      });
    } finally {
      server.close();
    }
  });
});
