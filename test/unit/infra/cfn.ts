/**
 * Reading the CloudFormation templates in tests: YAML with the short-form intrinsic tags (`!Ref`, `!Sub`, …)
 * turned into their long forms (`{ Ref: … }`, `{ 'Fn::Sub': … }`), and walkers over the result.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CollectionTag, parse, type ScalarTag } from 'yaml';

export const INFRA_DIR = resolve(import.meta.dirname, '../../../infra');

/** The short-form tags CloudFormation accepts, and the long-form key each becomes. */
const FUNCTIONS = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!Sub': 'Fn::Sub',
  '!GetAtt': 'Fn::GetAtt',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!Not': 'Fn::Not',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!ImportValue': 'Fn::ImportValue',
  '!Base64': 'Fn::Base64',
  '!FindInMap': 'Fn::FindInMap',
  '!GetAZs': 'Fn::GetAZs',
  '!Cidr': 'Fn::Cidr',
} as const;

const cfnTags: (ScalarTag | CollectionTag)[] = Object.entries(FUNCTIONS).flatMap(([tag, key]) => {
  const scalar: ScalarTag = {
    tag,
    // `!GetAtt A.B` is the scalar form of `Fn::GetAtt: [A, B]`.
    resolve: (value: string) =>
      key === 'Fn::GetAtt'
        ? { [key]: [value.slice(0, value.indexOf('.')), value.slice(value.indexOf('.') + 1)] }
        : { [key]: value },
  };
  const seq: CollectionTag = {
    tag,
    collection: 'seq',
    resolve: (value) => ({ [key]: (value as { toJSON: () => unknown }).toJSON() }),
  };
  const map: CollectionTag = {
    tag,
    collection: 'map',
    resolve: (value) => ({ [key]: (value as { toJSON: () => unknown }).toJSON() }),
  };
  return [scalar, seq, map];
});

export interface Resource {
  Type: string;
  Condition?: string;
  Properties: Record<string, unknown>;
}

export interface Template {
  AWSTemplateFormatVersion: string;
  Description?: string;
  Parameters: Record<string, { Type: string; Default?: unknown; AllowedValues?: unknown[] }>;
  Rules?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown; Condition?: string; Export?: { Name: unknown } }>;
}

/** Parses CloudFormation YAML text (short-form tags included). */
export function parseTemplate(text: string): Template {
  return parse(text, { customTags: cfnTags, uniqueKeys: true }) as Template;
}

/** Reads and parses `infra/templates/<name>`. */
export function loadTemplate(name: string): Template {
  return parseTemplate(readFileSync(resolve(INFRA_DIR, 'templates', name), 'utf8'));
}

/** Every value in `node` (depth first), with the key it sits under. */
export function* walk(node: unknown, key = ''): Generator<{ key: string; value: unknown }> {
  yield { key, value: node };
  if (Array.isArray(node)) {
    for (const item of node) yield* walk(item, key);
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) yield* walk(v, k);
  }
}

/** Every object in `node` that is a call of the intrinsic `fn` (e.g. `Ref`, `Fn::Sub`), with its argument. */
export function calls(node: unknown, fn: string): unknown[] {
  const found: unknown[] = [];
  for (const { value } of walk(node)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && fn in value) {
      const keys = Object.keys(value);
      if (keys.length === 1) found.push((value as Record<string, unknown>)[fn]);
    }
  }
  return found;
}

/** The `${Name}` references of a Fn::Sub string (`${!Literal}` is an escape, not a reference). */
export function subReferences(text: string): string[] {
  return [...text.matchAll(/\$\{([^!}][^}]*)\}/g)].map((m) => m[1]!);
}

/** The resources of a type, by logical id. */
export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** The one resource of a type; fails when there is not exactly one. */
export function onlyResource(template: Template, type: string): [string, Resource] {
  const found = resourcesOfType(template, type);
  if (found.length !== 1) {
    throw new Error(`expected one ${type}, found ${found.length}`);
  }
  return found[0]!;
}

/** The pseudo parameters CloudFormation defines. */
export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/**
 * References in a template that resolve to nothing: `Ref`s and `${…}`s naming no parameter, resource or pseudo
 * parameter, `GetAtt`s naming no resource, conditions used but not defined. cfn-lint does more; this needs nothing.
 */
export function danglingReferences(template: Template): string[] {
  const names = new Set([
    ...Object.keys(template.Parameters ?? {}),
    ...Object.keys(template.Resources),
    ...PSEUDO_PARAMETERS,
  ]);
  const conditions = new Set(Object.keys(template.Conditions ?? {}));
  const problems: string[] = [];
  for (const ref of calls(template, 'Ref')) {
    if (typeof ref !== 'string' || !names.has(ref)) problems.push(`Ref ${String(ref)}`);
  }
  for (const att of calls(template, 'Fn::GetAtt')) {
    const [resource] = att as string[];
    if (!resource || !(resource in template.Resources)) problems.push(`GetAtt ${String(resource)}`);
  }
  for (const sub of calls(template, 'Fn::Sub')) {
    const [text, vars] = typeof sub === 'string' ? [sub, {}] : (sub as [string, Record<string, unknown>]);
    for (const name of subReferences(text)) {
      const head = name.includes('::') ? name : name.split('.')[0]!;
      if (!names.has(head) && !(name in vars)) problems.push(`Sub \${${name}}`);
    }
  }
  const usedConditions = [
    ...calls(template, 'Condition'),
    ...calls(template, 'Fn::If').map((args) => (args as unknown[])[0]),
    ...Object.values(template.Resources).map((r) => r.Condition),
    ...Object.values(template.Outputs ?? {}).map((o) => o.Condition),
  ].filter((c) => c !== undefined);
  for (const condition of usedConditions) {
    if (typeof condition !== 'string' || !conditions.has(condition))
      problems.push(`Condition ${String(condition)}`);
  }
  return problems;
}
