/** Typed errors of the deploy driver. */

/** A deploy request that cannot be carried out as given (checked before any AWS call). */
export class DeployRequestError extends Error {
  override readonly name = 'DeployRequestError';
  readonly field: string;

  constructor(field: string, message: string) {
    super(`invalid deploy request: ${field}: ${message}`);
    this.field = field;
  }
}
