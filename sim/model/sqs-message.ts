/**
 * What SQS checks and computes for one message as it is sent: the allowed characters, the size against the
 * queue's `MaximumMessageSize` (body plus every part of every message attribute), the message attributes'
 * shape, and the MD5 digests of the body and of the attributes (the SDK checks the body's on every send and
 * receive). Pure.
 */
import { createHash } from 'node:crypto';
import { SqsError } from './sqs-errors';

/** A message attribute as the JSON protocol carries it (binary values base64-encoded). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

/** "Each message can have up to 10 attributes." */
export const MAX_MESSAGE_ATTRIBUTES = 10;

/**
 * The characters SQS accepts in a body and a string attribute: `#x9 | #xA | #xD | #x20 to #xD7FF |
 * #xE000 to #xFFFD | #x10000 to #x10FFFF` (the W3C XML character set). Lone surrogates never arrive: the JSON
 * body is UTF-8, which cannot carry them.
 */
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Hex MD5 of a string's UTF-8 bytes, as `MD5OfMessageBody` / `MD5OfBody` carry it. */
export const md5Hex = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

/** Refuses a body with a character outside the allowed set (`InvalidMessageContents`). */
export function checkCharacters(text: string, what = 'message body'): void {
  const bad = FORBIDDEN.exec(text);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase();
    throw new SqsError(
      'InvalidMessageContents',
      `Invalid binary character '#x${code}' was found in the ${what}, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const attributeError = (message: string) => new SqsError('InvalidParameterValue', message);

/** Refuses attributes SQS refuses: too many, bad names, no type, no value, forbidden characters. */
export function checkAttributes(attributes: MessageAttributes | undefined): void {
  const entries = Object.entries(attributes ?? {});
  if (entries.length > MAX_MESSAGE_ATTRIBUTES) {
    throw attributeError(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  for (const [name, value] of entries) {
    if (
      !ATTRIBUTE_NAME.test(name) ||
      /^(aws\.|amazon\.)/i.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..')
    ) {
      throw attributeError(`Message attribute name '${name}' is invalid.`);
    }
    const type = value?.DataType ?? '';
    if (!/^(String|Number|Binary)(\..+)?$/.test(type) || type.length > 256) {
      throw attributeError(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    const binary = type.startsWith('Binary');
    const present = binary ? value.BinaryValue : value.StringValue;
    if (present === undefined || present === '') {
      throw attributeError(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
      );
    }
    if (!binary) checkCharacters(value.StringValue!, `message attribute '${name}'`);
  }
}

/** Bytes a message counts against `MaximumMessageSize`: the body and every attribute's name, type and value. */
export function messageSize(body: string, attributes: MessageAttributes | undefined): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes ?? {})) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType, 'utf8');
    size += value.DataType.startsWith('Binary')
      ? Buffer.from(value.BinaryValue ?? '', 'base64').length
      : Buffer.byteLength(value.StringValue ?? '', 'utf8');
  }
  return size;
}

/**
 * `MD5OfMessageAttributes`, by SQS's documented encoding: attributes sorted by name, each as length-prefixed
 * (4-byte big-endian) name and data type, a transport byte (1 string, 2 binary), then the length-prefixed value.
 * `undefined` when there are none.
 */
export function md5OfAttributes(attributes: MessageAttributes | undefined): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of names) {
    const value = attributes![name]!;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(value.DataType, 'utf8'));
    if (value.DataType.startsWith('Binary')) {
      hash.update(Buffer.from([2]));
      field(Buffer.from(value.BinaryValue ?? '', 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      field(Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

/**
 * Which of `attributes` a receive asked for (`MessageAttributeNames`): `All` or `.*` for every one, `prefix.*`
 * for those under a prefix, else exact names.
 */
export function selectAttributes(
  attributes: MessageAttributes | undefined,
  wanted: readonly string[] | undefined,
): MessageAttributes | undefined {
  if (!attributes || !wanted || wanted.length === 0) return undefined;
  const picked: MessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    const match = wanted.some(
      (w) => w === 'All' || w === '.*' || w === name || (w.endsWith('.*') && name.startsWith(w.slice(0, -1))),
    );
    if (match) picked[name] = value;
  }
  return Object.keys(picked).length > 0 ? picked : undefined;
}
