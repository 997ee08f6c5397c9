/**
 * zod's issues as one line per problem, each naming the field's path (`versions[1].faults.slowStartMs`) and what
 * was expected: a union's issues are those of the branch the input meant, an unknown field lists the known ones.
 */
import type { z } from 'zod';

type Path = readonly PropertyKey[];
type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/** `versions[1].faults.slowStartMs`; the file itself is `(file)`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  }
  return out === '' ? '(file)' : out;
}

/** Every problem of a failed parse of `input` against `schema`, one line each. */
export function formatIssues(issues: readonly Issue[], schema: AnySchema, input: unknown): string[] {
  return flatten(issues, []).map(({ issue, path }) => {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, path, input);
      return issue.keys
        .map(
          (key) =>
            `${formatPath([...path, key])}: unknown field${known.length ? `; expected one of ${known.join(', ')}` : ''}`,
        )
        .join('\n');
    }
    return `${formatPath(path)}: ${issue.message}`;
  });
}

/** Issues with absolute paths; a union contributes the issues of its closest branch only. */
function flatten(issues: readonly Issue[], base: Path): { issue: Issue; path: Path }[] {
  const out: { issue: Issue; path: Path }[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // The branch whose issues reach deepest is the one the input was written for (an object, not a literal).
      const depth = (branch: readonly Issue[]) => Math.max(...branch.map((i) => i.path.length + 1));
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0] ?? [];
      out.push(...flatten(best, path));
    } else {
      out.push({ issue, path });
    }
  }
  return out;
}

/** The fields an object at `path` may have, following the schema as the input goes (a step by its `kind`). */
function knownKeys(schema: AnySchema, path: Path, input: unknown): string[] {
  let node: AnySchema | undefined = schema;
  let value: unknown = input;
  const at = (s: AnySchema) => s._zod.def as unknown as Record<string, unknown> & { type: string };
  const unwrap = () => {
    for (let guard = 0; node && guard < 10; guard++) {
      const def = at(node);
      if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') {
        node = def.innerType as AnySchema;
      } else if (def.type === 'pipe') {
        node = def.in as AnySchema;
      } else if (def.type === 'union') {
        const options = def.options as AnySchema[];
        const kind = (value as { kind?: unknown } | null)?.kind;
        node =
          options.find((o) => {
            const shape = at(o).shape as Record<string, AnySchema> | undefined;
            const literal = shape?.kind ? (at(shape.kind).values as unknown[] | undefined) : undefined;
            return literal?.includes(kind);
          }) ?? options.find((o) => at(o).type === 'object');
      } else {
        return;
      }
    }
  };
  for (const key of path) {
    unwrap();
    if (!node) return [];
    const def = at(node);
    if (def.type === 'object') node = (def.shape as Record<string, AnySchema>)[String(key)];
    else if (def.type === 'array') node = def.element as AnySchema;
    else if (def.type === 'record') node = def.valueType as AnySchema;
    else return [];
    value = (value as Record<PropertyKey, unknown> | undefined)?.[key as never];
  }
  unwrap();
  return node && at(node).type === 'object' ? Object.keys(at(node).shape as object) : [];
}
