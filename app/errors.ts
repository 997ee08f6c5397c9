/** Configuration is missing or invalid: the app refuses to boot. Names keys, never values. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The offending configuration keys. */
  readonly keys: string[];

  constructor(message: string, keys: string[], options?: { cause?: unknown }) {
    super(message, options);
    this.keys = keys;
  }
}

/** The instance's identity (private IP, instance id) could not be discovered where configuration said to look. */
export class InstanceIdentityError extends Error {
  override readonly name = 'InstanceIdentityError';
  readonly source: string;

  constructor(message: string, source: string, options?: { cause?: unknown }) {
    super(message, options);
    this.source = source;
  }
}
