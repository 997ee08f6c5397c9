/** The rollback check's input is not `{ autoScalingGroupName }`; `field` names what is wrong. */
export class RollbackInputError extends Error {
  override readonly name = 'RollbackInputError';
  constructor(
    message: string,
    readonly field: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}
