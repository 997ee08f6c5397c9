/** One problem in a policy: the field (dotted path, `probeCidrs[1]`) and what is wrong with it. */
export interface PolicyIssue {
  field: string;
  message: string;
}

/**
 * A group's policy is invalid. The message lists every issue as `field: what is wrong`; `issues` holds them
 * as data. The handler maps it to ABANDON `POLICY_INVALID` (fail closed).
 */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    readonly issues: readonly PolicyIssue[],
    options?: { cause?: unknown },
  ) {
    super(`invalid policy: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, options);
  }

  /** The fields named by the issues, without duplicates. */
  get fields(): string[] {
    return [...new Set(this.issues.map((i) => i.field))];
  }
}

/** A carried {@link GateState} (from a previous invocation) does not have the expected shape. */
export class GateStateError extends Error {
  override readonly name = 'GateStateError';
  constructor(
    message: string,
    readonly context: { issues: readonly string[] },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
