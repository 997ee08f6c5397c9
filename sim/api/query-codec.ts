/**
 * Query-protocol codec driven by the SDK's own operation schemas, so element and parameter names
 * (`member`, `item`, `reservationSet`, EC2's capitalised `ec2QueryName`s) are exactly the ones the real
 * clients write and read: decoding is the inverse of `QueryShapeSerializer`, encoding the inverse of
 * `XmlShapeDeserializer` (both in `@aws-sdk/core/protocols`).
 */
import { NormalizedSchema } from '@smithy/core/schema';

/** An operation schema as the SDK clients export it (`DescribeInstances$`): `[9, ns, name, traits, input, output]`. */
export type OperationSchema = readonly [number, string, string, unknown, unknown, unknown];

/** Which query dialect: awsQuery (autoscaling, elb, elbv2) or ec2Query. */
export interface QueryDialect {
  ec2: boolean;
}

/** The operation's input schema. */
export const inputSchemaOf = (op: OperationSchema): NormalizedSchema => NormalizedSchema.of(op[4] as never);
/** The operation's output schema. */
export const outputSchemaOf = (op: OperationSchema): NormalizedSchema => NormalizedSchema.of(op[5] as never);

type Tree = { value?: string; children: Map<string, Tree> };

const buildTree = (params: URLSearchParams): Tree => {
  const root: Tree = { children: new Map() };
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    let node = root;
    for (const part of key.split('.')) {
      let next = node.children.get(part);
      if (!next) {
        next = { children: new Map() };
        node.children.set(part, next);
      }
      node = next;
    }
    node.value = value;
  }
  return root;
};

const queryKey = (member: NormalizedSchema, memberName: string, dialect: QueryDialect): string => {
  const traits = member.getMergedTraits() as { xmlName?: string; ec2QueryName?: string };
  if (dialect.ec2 && traits.ec2QueryName) return traits.ec2QueryName;
  const key = traits.xmlName ?? memberName;
  return dialect.ec2 ? key[0]!.toUpperCase() + key.slice(1) : key;
};

const numberedChildren = (node: Tree): Tree[] =>
  [...node.children.entries()]
    .filter(([k]) => /^\d+$/.test(k))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, v]) => v);

const decodeNode = (schema: NormalizedSchema, node: Tree, dialect: QueryDialect): unknown => {
  if (schema.isListSchema()) {
    const traits = schema.getMergedTraits() as { xmlFlattened?: boolean };
    const flat = dialect.ec2 || traits.xmlFlattened;
    const valueSchema = schema.getValueSchema();
    const vt = valueSchema.getMergedTraits() as { xmlName?: string; ec2QueryName?: string };
    const holder = flat
      ? node
      : node.children.get(dialect.ec2 ? (vt.ec2QueryName ?? 'member') : (vt.xmlName ?? 'member'));
    if (!holder) return [];
    return numberedChildren(holder).map((child) => decodeNode(valueSchema, child, dialect));
  }
  if (schema.isMapSchema()) {
    const out: Record<string, unknown> = {};
    const flat = (schema.getMergedTraits() as { xmlFlattened?: boolean }).xmlFlattened;
    const holder = flat ? node : node.children.get('entry');
    for (const entry of holder ? numberedChildren(holder) : []) {
      const key = entry.children.get('key')?.value;
      const value = entry.children.get('value');
      if (key !== undefined && key !== '__proto__' && value)
        out[key] = decodeNode(schema.getValueSchema(), value, dialect);
    }
    return out;
  }
  if (schema.isStructSchema()) {
    const out: Record<string, unknown> = {};
    for (const [name, member] of schema.structIterator()) {
      const child = node.children.get(queryKey(member, name, dialect));
      if (child) out[name] = decodeNode(member, child, dialect);
    }
    return out;
  }
  const raw = node.value ?? '';
  if (schema.isBooleanSchema()) return raw === 'true';
  if (schema.isNumericSchema()) return Number(raw);
  if (schema.isTimestampSchema()) return new Date(/^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : raw);
  return raw;
};

/** Decodes form parameters (`AutoScalingGroupNames.member.1=…`, EC2's `InstanceId.1=…`) into the SDK input shape. */
export const decodeQuery = (op: OperationSchema, params: URLSearchParams, dialect: QueryDialect): unknown =>
  decodeNode(inputSchemaOf(op), buildTree(params), dialect);

const escapeXml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

const encodeScalar = (schema: NormalizedSchema, value: unknown): string => {
  if (value instanceof Date) {
    const format = (schema.getMergedTraits() as { timestampFormat?: number }).timestampFormat;
    return format === 7 ? String(value.getTime() / 1000) : value.toISOString();
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return escapeXml(String(value));
};

const encodeValue = (schema: NormalizedSchema, value: unknown, tag: string): string => {
  if (value == null) return '';
  if (schema.isListSchema()) {
    // A value of the wrong shape (launch-template data kept as sent) is left out rather than garbled.
    if (!Array.isArray(value)) return '';
    const items = value as unknown[];
    const valueSchema = schema.getValueSchema();
    const itemTag = (valueSchema.getMergedTraits() as { xmlName?: string }).xmlName ?? 'member';
    if ((schema.getMergedTraits() as { xmlFlattened?: boolean }).xmlFlattened) {
      return items.map((item) => encodeValue(valueSchema, item, tag)).join('');
    }
    return `<${tag}>${items.map((item) => encodeValue(valueSchema, item, itemTag)).join('')}</${tag}>`;
  }
  if (schema.isMapSchema() && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(
        ([k, v]) =>
          `<entry><key>${escapeXml(k)}</key>${encodeValue(schema.getValueSchema(), v, 'value')}</entry>`,
      )
      .join('');
    return `<${tag}>${entries}</${tag}>`;
  }
  if ((schema.isStructSchema() || schema.isMapSchema()) && typeof value !== 'object') return '';
  if (schema.isStructSchema())
    return `<${tag}>${encodeMembers(schema, value as Record<string, unknown>)}</${tag}>`;
  return `<${tag}>${encodeScalar(schema, value)}</${tag}>`;
};

const encodeMembers = (schema: NormalizedSchema, value: Record<string, unknown>): string => {
  let out = '';
  for (const [name, member] of schema.structIterator()) {
    const tag = (member.getMemberTraits() as { xmlName?: string }).xmlName ?? name;
    out += encodeValue(member, value[name], tag);
  }
  return out;
};

/**
 * Encodes an output in the SDK's shape as the body of the response envelope: for awsQuery the caller wraps it in
 * `<XResult>`, for ec2Query the members sit directly under `<XResponse>`.
 */
export const encodeOutputMembers = (op: OperationSchema, output: Record<string, unknown>): string => {
  const schema = outputSchemaOf(op);
  return schema.isStructSchema() ? encodeMembers(schema, output) : '';
};

export { escapeXml };
