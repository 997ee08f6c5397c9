/**
 * What went wrong with AWS, said so an operator can act: no credentials, access denied (naming the call and the
 * permission it needs), throttling that outlived the SDK's retries, a name that does not exist. Pure: judged on
 * the error chain the adapters keep (their typed error around the SDK's).
 */
import { AwsCallError, GroupNotFoundError } from '../shared/aws';

/** Kinds of AWS trouble, a closed set. */
export const AwsProblemKind = {
  noCredentials: 'no-credentials',
  accessDenied: 'access-denied',
  throttled: 'throttled',
  notFound: 'not-found',
  other: 'other',
} as const;
export type AwsProblemKind = (typeof AwsProblemKind)[keyof typeof AwsProblemKind];

export interface AwsProblem {
  kind: AwsProblemKind;
  /** One line, naming the call when one is known. */
  message: string;
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
]);

/** Classifies `error` (any depth of `cause`). */
export function describeAwsProblem(error: unknown): AwsProblem {
  let call: AwsCallError | undefined;
  let e: unknown = error;
  for (let depth = 0; depth < 6 && e instanceof Error; depth++) {
    if (e instanceof AwsCallError && !call) call = e;
    if (e instanceof GroupNotFoundError) {
      return { kind: AwsProblemKind.notFound, message: `no Auto Scaling group named ${e.groupName}` };
    }
    const name = e.name;
    const where = call ? ` on ${call.context.service}:${call.context.operation}` : '';
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message)) {
      return {
        kind: AwsProblemKind.noCredentials,
        message: `no AWS credentials${where}: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available`,
      };
    }
    if (ACCESS_DENIED.has(name)) {
      return {
        kind: AwsProblemKind.accessDenied,
        message: `access denied${where}: ${name}: ${e.message}${call ? ` (the caller needs ${call.context.service}:${call.context.operation})` : ''}`,
      };
    }
    if (THROTTLED.has(name)) {
      return {
        kind: AwsProblemKind.throttled,
        message: `throttled by AWS${where} after the SDK's retries: ${name}: ${e.message}; try again later`,
      };
    }
    e = e.cause;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: AwsProblemKind.other, message };
}
