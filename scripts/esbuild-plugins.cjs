/**
 * esbuild plugins of the functions' bundles (serverless.yml: custom.esbuild.plugins). CommonJS, because the
 * packager loads this file with require().
 *
 * sdkSchemasPlugin: each AWS SDK client describes every shape of its service in one schemas module (EC2's is
 * 550 kB minified, for the one DescribeInstances the gate calls). Its declarations are plain arrays, but their
 * computed keys (`{ [_xN]: _m }`) make esbuild keep every one of them, used or not: a computed key could run
 * code. Evaluating them cannot (each key is a string constant of the same module), so this plugin wraps each
 * array or object declaration of those modules in a call annotated pure, and esbuild then drops the shapes no
 * operation of the bundle reaches. Only declarations whose evaluation is provably inert are wrapped (literals,
 * names, nested arrays and objects, arrow functions, keys that are constant strings); what a kept one evaluates
 * to, and when, is unchanged; statements that do something (the error registry's registrations) are left as
 * they are, so every modelled error stays.
 * Written here because no esbuild option or published plugin does this; the parse is acorn's, not a pattern.
 */
'use strict';

const { readFile } = require('node:fs/promises');
const acorn = require('acorn');

/**
 * The schemas modules of the SDK's clients (dist-es, which `mainFields: module, main` resolves), and of the
 * clients nested in @aws-sdk/nested-clients (`dist-es/submodules/<client>/schemas/`).
 */
const SCHEMAS_MODULE =
  /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:submodules[\\/][^\\/]+[\\/])?schemas[\\/][^\\/]+\.js$/;

const INERT_BINARY = new Set(['+', '-', '*', '/', '%', '**', '|', '&', '^', '<<', '>>', '>>>']);

/**
 * Whether evaluating `node` can do nothing but build a value: literals, names, arrays and objects of such, arrow
 * functions (built, not called), and operators over literals. A computed key must be a literal or a name bound
 * to a top-level constant string or number (`constants`), so turning it into a key runs no code.
 */
function isInert(node, constants) {
  if (node === null) return true; // an array hole
  switch (node.type) {
    case 'Literal':
    case 'Identifier':
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
      return true;
    case 'TemplateLiteral':
      return node.expressions.length === 0;
    case 'ArrayExpression':
      return node.elements.every((e) => e?.type !== 'SpreadElement' && isInert(e, constants));
    case 'ObjectExpression':
      return node.properties.every(
        (p) =>
          p.type === 'Property' &&
          p.kind === 'init' &&
          (!p.computed ||
            p.key.type === 'Literal' ||
            (p.key.type === 'Identifier' && constants.has(p.key.name))) &&
          isInert(p.value, constants),
      );
    case 'UnaryExpression':
      return ['-', '+', '!', '~'].includes(node.operator) && isLiteralArithmetic(node.argument);
    case 'BinaryExpression':
      return isLiteralArithmetic(node);
    default:
      return false;
  }
}

function isLiteralArithmetic(node) {
  if (node.type === 'Literal') return typeof node.value === 'number' || typeof node.value === 'string';
  if (node.type === 'UnaryExpression')
    return ['-', '+', '~'].includes(node.operator) && isLiteralArithmetic(node.argument);
  if (node.type === 'BinaryExpression') {
    return (
      INERT_BINARY.has(node.operator) && isLiteralArithmetic(node.left) && isLiteralArithmetic(node.right)
    );
  }
  return false;
}

/** Top-level `const NAME = <string or number literal>` (or a template without expressions), by name. */
function constantNames(program) {
  const names = new Set();
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
    if (declaration?.type !== 'VariableDeclaration' || declaration.kind !== 'const') continue;
    for (const d of declaration.declarations) {
      const init = d.init;
      const literal =
        (init?.type === 'Literal' && (typeof init.value === 'string' || typeof init.value === 'number')) ||
        (init?.type === 'TemplateLiteral' && init.expressions.length === 0);
      if (d.id.type === 'Identifier' && literal) names.add(d.id.name);
    }
  }
  return names;
}

/**
 * The source with each top-level `var|let|const NAME = [...]` or `= {...}` (exported or not, one declarator) whose
 * evaluation is provably inert ({@link isInert}) wrapped as `/* @__PURE__ *\/ (() => (...))()`; everything else
 * byte for byte. A declaration that cannot be proven inert is left as it is (kept in the bundle, correct, only
 * larger) and its line reported in `unproven`.
 *
 * @param {string} source an ES module's text
 * @returns {{ code: string, wrapped: number, unproven: number[] }}
 */
function markSchemaDeclarationsPure(source) {
  const program = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
  const constants = constantNames(program);
  let code = '';
  let from = 0;
  let wrapped = 0;
  const unproven = [];
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
    if (declaration?.type !== 'VariableDeclaration' || declaration.declarations.length !== 1) continue;
    const init = declaration.declarations[0].init;
    if (!init || (init.type !== 'ArrayExpression' && init.type !== 'ObjectExpression')) continue;
    if (!isInert(init, constants)) {
      unproven.push(init.loc.start.line);
      continue;
    }
    code += `${source.slice(from, init.start)}/* @__PURE__ */ (() => (${source.slice(init.start, init.end)}))()`;
    from = init.end;
    wrapped++;
  }
  return { code: code + source.slice(from), wrapped, unproven };
}

/** @returns {import('esbuild').Plugin} */
function sdkSchemasPlugin() {
  return {
    name: 'sdk-schemas-pure',
    setup(build) {
      build.onLoad({ filter: SCHEMAS_MODULE }, async (args) => {
        const { code, unproven } = markSchemaDeclarationsPure(await readFile(args.path, 'utf8'));
        const warnings = unproven.length
          ? [
              {
                text: `${unproven.length} schema declaration(s) kept whole: not provably inert (lines ${unproven.slice(0, 5).join(', ')}${unproven.length > 5 ? ', …' : ''})`,
                location: { file: args.path, line: unproven[0] },
              },
            ]
          : [];
        return { contents: code, loader: 'js', warnings };
      });
    },
  };
}

module.exports = [sdkSchemasPlugin()];
module.exports.sdkSchemasPlugin = sdkSchemasPlugin;
module.exports.markSchemaDeclarationsPure = markSchemaDeclarationsPure;
module.exports.SCHEMAS_MODULE = SCHEMAS_MODULE;
