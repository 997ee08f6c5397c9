/**
 * SSM Parameter Store: versioned parameters by name, with PutParameter's validation (names, values, types, data
 * types, Overwrite) and SecureString values that read back as ciphertext unless decrypted, as on AWS.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { SimError } from './errors';

export const ParameterType = {
  String: 'String',
  StringList: 'StringList',
  SecureString: 'SecureString',
} as const;
export type ParameterType = (typeof ParameterType)[keyof typeof ParameterType];

export interface Parameter {
  name: string;
  type: ParameterType;
  value: string;
  version: number;
  lastModified: number;
  description?: string;
  dataType: string;
}

/** A standard-tier value holds at most 4 KB. */
export const MAX_STANDARD_VALUE_LENGTH = 4096;
/** "The maximum length for a parameter name that you specify is 1011 characters" (2048 less 1037 reserved). */
export const MAX_NAME_LENGTH = 1011;
/** "Parameter hierarchies are limited to a maximum depth of fifteen levels." */
export const MAX_HIERARCHY_LEVELS = 15;
const MAX_DESCRIPTION_LENGTH = 1024;
const DATA_TYPES = new Set(['text', 'aws:ec2:image', 'aws:ssm:integration']);

const validation = (message: string) => new SimError('ValidationException', message);
const constraint = (value: string, member: string, rule: string) =>
  validation(
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${rule}`,
  );

const INVALID_NAME =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.';

/**
 * The name SSM stores for `raw`: surrounding spaces removed, as the service does; a ValidationException (or
 * HierarchyLevelLimitExceededException) for a name it refuses.
 */
export const validParameterName = (raw: string): string => {
  const name = raw.trim();
  if (name === '') {
    throw constraint(name, 'name', 'Member must have length greater than or equal to 1');
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw validation(`Parameter name must not be longer than ${MAX_NAME_LENGTH} characters.`);
  }
  const firstSegment = name.replace(/^\//, '').split('/')[0] ?? '';
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name) || /^(aws|ssm)/i.test(firstSegment)) {
    throw validation(INVALID_NAME);
  }
  if (name.includes('/') && !name.startsWith('/')) {
    throw validation('Parameter name must be a fully qualified name.');
  }
  if (name.split('/').filter((s) => s !== '').length > MAX_HIERARCHY_LEVELS) {
    throw new SimError(
      'HierarchyLevelLimitExceededException',
      `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`,
    );
  }
  return name;
};

/** The parameters; names are normalised to start with `/` only if given so, as SSM does. */
export class Parameters {
  private readonly byName = new Map<string, Parameter>();
  /** Stands in for the account's KMS key: ciphertexts are opaque and differ between runs. */
  private readonly kmsKey = randomBytes(32);

  constructor(private readonly now: () => number) {}

  /**
   * PutParameter. AWS requires `type` when the parameter is created; that rule belongs to the wire request
   * (sim/api/ssm.ts), so code seeding the model may leave it out (String).
   */
  put(input: {
    name: string;
    value: string;
    type?: string;
    overwrite?: boolean;
    description?: string;
    dataType?: string;
  }): Parameter {
    const name = validParameterName(input.name);
    if (input.value === '') {
      throw constraint('', 'value', 'Member must have length greater than or equal to 1');
    }
    if (input.type !== undefined && !Object.values(ParameterType).includes(input.type as ParameterType)) {
      throw constraint(
        input.type,
        'type',
        'Member must satisfy enum value set: [SecureString, StringList, String]',
      );
    }
    if (input.value.length > MAX_STANDARD_VALUE_LENGTH) {
      throw validation(
        `Standard tier parameters support a maximum parameter value of ${MAX_STANDARD_VALUE_LENGTH} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`,
      );
    }
    if (input.description !== undefined && input.description.length > MAX_DESCRIPTION_LENGTH) {
      throw validation(
        `1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to ${MAX_DESCRIPTION_LENGTH}`,
      );
    }
    if (input.dataType !== undefined && !DATA_TYPES.has(input.dataType)) {
      throw validation(
        `The following data type is not supported: ${input.dataType} (Data type names are all lowercase.)`,
      );
    }
    const existing = this.byName.get(name);
    if (existing && !input.overwrite) {
      throw new SimError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    const parameter: Parameter = {
      name,
      // "Specifying a parameter type isn't required when updating a parameter": the stored type stays.
      type: (input.type ?? existing?.type ?? ParameterType.String) as ParameterType,
      value: input.value,
      version: (existing?.version ?? 0) + 1,
      lastModified: this.now(),
      description: input.description ?? existing?.description,
      dataType: input.dataType ?? existing?.dataType ?? 'text',
    };
    this.byName.set(name, parameter);
    return parameter;
  }

  /** The parameter; `ParameterNotFound` when absent. */
  get(name: string): Parameter {
    const p = this.byName.get(name);
    if (!p) throw new SimError('ParameterNotFound', `Parameter ${name} not found.`);
    return p;
  }

  find(name: string): Parameter | undefined {
    return this.byName.get(name);
  }

  delete(name: string): void {
    if (!this.byName.delete(name)) throw new SimError('ParameterNotFound', `Parameter ${name} not found.`);
  }

  /** Parameters under `path` (one level, or all levels when `recursive`), sorted by name. */
  byPath(path: string, recursive: boolean): Parameter[] {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return [...this.byName.values()]
      .filter((p) => p.name.startsWith(prefix) && (recursive || !p.name.slice(prefix.length).includes('/')))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The value a read returns: a SecureString read without decryption is its ciphertext (base64, as SSM answers
   * it), never the plaintext. String and StringList ignore `decrypt`, as SSM does.
   */
  readValue(p: Parameter, decrypt: boolean): string {
    return p.type === ParameterType.SecureString && !decrypt ? this.ciphertext(p) : p.value;
  }

  /**
   * Shaped like a KMS ciphertext blob (`AQICAH…`: version and key header, then opaque bytes a little longer
   * than the plaintext), keyed per run so nothing about the value can be read from it.
   */
  private ciphertext(p: Parameter): string {
    const seed = createHmac('sha256', this.kmsKey).update(`${p.name}\0${p.version}\0${p.value}`).digest();
    const blocks: Buffer[] = [Buffer.from([0x01, 0x02, 0x02, 0x00, 0x78])];
    const length = 64 + Buffer.byteLength(p.value, 'utf8');
    for (let n = 0, total = 0; total < length; n++) {
      const block = createHmac('sha256', seed).update(String(n)).digest();
      blocks.push(block);
      total += block.length;
    }
    return Buffer.concat(blocks)
      .subarray(0, 5 + length)
      .toString('base64');
  }
}
