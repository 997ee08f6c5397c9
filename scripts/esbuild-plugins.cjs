/**
 * esbuild plugins of the functions' bundles (serverless.yml: custom.esbuild.plugins). CommonJS, because the
 * packager loads this file with require().
 *
 * sdkSchemasPlugin: each AWS SDK client describes every shape of its service in one schemas module (EC2's is
 * 550 kB minified, for the one DescribeInstances the gate calls). Its declarations are plain arrays, but their
 * computed keys (`{ [_xN]: _m }`) make esbuild keep every one of them, used or not: a computed key could run
 * code. Evaluating them cannot (each key is a string constant of the same module), so this plugin wraps each
 * array or object declaration of those modules in a call annotated pure, and esbuild then drops the shapes no
 * operation of the bundle reaches. What a kept declaration evaluates to, and when, is unchanged; statements
 * that do something (the error registry's registrations) are left as they are, so every modelled error stays.
 * Written here because no esbuild option or published plugin does this; the parse is acorn's, not a pattern.
 */
'use strict';

const { readFile } = require('node:fs/promises');
const acorn = require('acorn');

/** The schemas modules of the SDK's clients (dist-es, which `mainFields: module, main` resolves). */
const SCHEMAS_MODULE = /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/]schemas[\\/][^\\/]+\.js$/;

/**
 * The source with each top-level `var|let|const NAME = [...]` or `= {...}` (exported or not, one declarator)
 * wrapped as `/* @__PURE__ *\/ (() => (...))()`; everything else byte for byte.
 *
 * @param {string} source an ES module's text
 * @returns {{ code: string, wrapped: number }}
 */
function markSchemaDeclarationsPure(source) {
  const program = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
  let code = '';
  let from = 0;
  let wrapped = 0;
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
    if (declaration?.type !== 'VariableDeclaration' || declaration.declarations.length !== 1) continue;
    const init = declaration.declarations[0].init;
    if (!init || (init.type !== 'ArrayExpression' && init.type !== 'ObjectExpression')) continue;
    code += `${source.slice(from, init.start)}/* @__PURE__ */ (() => (${source.slice(init.start, init.end)}))()`;
    from = init.end;
    wrapped++;
  }
  return { code: code + source.slice(from), wrapped };
}

/** @returns {import('esbuild').Plugin} */
function sdkSchemasPlugin() {
  return {
    name: 'sdk-schemas-pure',
    setup(build) {
      build.onLoad({ filter: SCHEMAS_MODULE }, async (args) => {
        const { code } = markSchemaDeclarationsPure(await readFile(args.path, 'utf8'));
        return { contents: code, loader: 'js' };
      });
    },
  };
}

module.exports = [sdkSchemasPlugin()];
module.exports.sdkSchemasPlugin = sdkSchemasPlugin;
module.exports.markSchemaDeclarationsPure = markSchemaDeclarationsPure;
module.exports.SCHEMAS_MODULE = SCHEMAS_MODULE;
