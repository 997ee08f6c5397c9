import { describe, expect, it } from 'vitest';
import {
  AwsCallError,
  GroupNotFoundError,
  InstanceNotFoundError,
  isTransientAwsError,
  PolicyInvalidError,
} from '../../../shared/aws/errors';

const ctx = { service: 'ec2', operation: 'DescribeInstances', params: {} };
const sdk = (name: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, ...fields });
const wrapped = (cause: unknown) => new AwsCallError(ctx, { cause });

describe('isTransientAwsError', () => {
  const transient: [string, unknown][] = [
    ['Auto Scaling throttling', sdk('Throttling', { $fault: 'client', $metadata: { httpStatusCode: 400 } })],
    ['EC2 throttling', sdk('RequestLimitExceeded', { $fault: 'client', $metadata: { httpStatusCode: 503 } })],
    ['SSM throttling', sdk('ThrottlingException', { $fault: 'client', $metadata: { httpStatusCode: 400 } })],
    ['a 429 of any name', sdk('Whatever', { $metadata: { httpStatusCode: 429 } })],
    ['a 500', sdk('InternalFailure', { $fault: 'server', $metadata: { httpStatusCode: 500 } })],
    ['an unnamed 502', sdk('Unknown', { $metadata: { httpStatusCode: 502 } })],
    ['a server fault', sdk('SomethingBroke', { $fault: 'server' })],
    ['a modeled retryable error', sdk('ResourceContention', { $retryable: {} })],
    ['the request timeout of our handler', sdk('TimeoutError', { code: 'ETIMEDOUT' })],
    ['a reset connection', sdk('Error', { code: 'ECONNRESET' })],
    ['a refused connection', sdk('Error', { code: 'ECONNREFUSED' })],
  ];
  for (const [name, error] of transient) {
    it(`${name} is transient, bare and wrapped by an adapter`, () => {
      expect(isTransientAwsError(error)).toBe(true);
      expect(isTransientAwsError(wrapped(error))).toBe(true);
    });
  }

  const permanent: [string, unknown][] = [
    ['a validation error', sdk('ValidationError', { $fault: 'client', $metadata: { httpStatusCode: 400 } })],
    ['access denied', sdk('AccessDenied', { $fault: 'client', $metadata: { httpStatusCode: 403 } })],
    [
      'EC2 unauthorised',
      sdk('UnauthorizedOperation', { $fault: 'client', $metadata: { httpStatusCode: 403 } }),
    ],
    ['an invalid parameter', sdk('InvalidParameterValue', { $fault: 'client' })],
    ['an abort of our own', sdk('AbortError')],
    ['an instance that is not found', new InstanceNotFoundError('i-0abc', ctx, { cause: sdk('Throttling') })],
    ['a group that is not found', new GroupNotFoundError('web', ctx)],
    ['an invalid policy', new PolicyInvalidError('bad', { parameterName: '/p', groupName: 'web' })],
    ['a plain error', new Error('boom')],
    ['a string', 'Throttling'],
    ['undefined', undefined],
  ];
  for (const [name, error] of permanent) {
    it(`${name} is not transient`, () => {
      expect(isTransientAwsError(error)).toBe(false);
      expect(isTransientAwsError(wrapped(error))).toBe(false);
    });
  }
});
