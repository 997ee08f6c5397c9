/** SSM Parameter Store: versioned parameters by name. */
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

/** The parameters; names are normalised to start with `/` only if given so, as SSM does. */
export class Parameters {
  private readonly byName = new Map<string, Parameter>();

  constructor(private readonly now: () => number) {}

  put(input: {
    name: string;
    value: string;
    type?: string;
    overwrite?: boolean;
    description?: string;
    dataType?: string;
  }): Parameter {
    if (!input.name) throw new SimError('ValidationException', 'Parameter name must not be empty.');
    const existing = this.byName.get(input.name);
    if (existing && !input.overwrite) {
      throw new SimError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    const type = (input.type ?? existing?.type ?? ParameterType.String) as ParameterType;
    if (!Object.values(ParameterType).includes(type)) {
      throw new SimError(
        'ValidationException',
        `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint`,
      );
    }
    const parameter: Parameter = {
      name: input.name,
      type,
      value: input.value,
      version: (existing?.version ?? 0) + 1,
      lastModified: this.now(),
      description: input.description ?? existing?.description,
      dataType: input.dataType ?? 'text',
    };
    this.byName.set(input.name, parameter);
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
}
