// A namespace import: bundlers keep only the parts used (the named `z` object would pull in all of zod).
import * as z from 'zod';
import { RollbackInputError } from './errors';

// Auto Scaling's limit; control characters are refused so a name is safe to log and print.
const GROUP_NAME_MAX = 255;

/** The rollback check's input: `{ "autoScalingGroupName": "web-green" }`, nothing else. */
export const RollbackCheckInputSchema = z.strictObject({
  autoScalingGroupName: z
    .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(GROUP_NAME_MAX, { error: `must be at most ${GROUP_NAME_MAX} characters` })
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
    .regex(/^[^\u0000-\u001f\u007f]+$/, { error: 'must not contain control characters' }),
});
export type RollbackCheckInput = z.output<typeof RollbackCheckInputSchema>;

/**
 * Validates a manual invocation's payload.
 *
 * @throws {RollbackInputError} naming the first bad field (`(input)` when the payload is not an object).
 * @example
 * parseRollbackInput({ autoScalingGroupName: 'web-green' }); // { autoScalingGroupName: 'web-green' }
 * parseRollbackInput({ asg: 'web' }); // throws: "invalid input: asg: unknown field (expected autoScalingGroupName)"
 */
export function parseRollbackInput(raw: unknown): RollbackCheckInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RollbackInputError(
      'invalid input: expected an object like {"autoScalingGroupName": "web-green"}',
      '(input)',
    );
  }
  const result = RollbackCheckInputSchema.safeParse(raw);
  if (result.success) return result.data;
  // An unknown field first: `{ "asg": … }` is a misspelling, and saying so beats "autoScalingGroupName is required".
  const unknown = result.error.issues.find((i) => i.code === 'unrecognized_keys');
  if (unknown?.code === 'unrecognized_keys') {
    const field = unknown.keys[0] ?? '(input)';
    throw new RollbackInputError(
      `invalid input: ${field}: unknown field (expected autoScalingGroupName)`,
      field,
      { cause: result.error },
    );
  }
  const issue = result.error.issues[0];
  const field = String(issue?.path[0] ?? '(input)');
  throw new RollbackInputError(`invalid input: ${field}: ${issue?.message ?? 'invalid'}`, field, {
    cause: result.error,
  });
}
