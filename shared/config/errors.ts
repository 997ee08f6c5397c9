/** A configuration value is missing or invalid; `key` names it (the environment variable). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly key: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}
