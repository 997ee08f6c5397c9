import { describe, expect, it } from 'vitest';
import {
  AwsCallError,
  GroupNotFoundError,
  InstanceNotFoundError,
  isTransientAwsError,
  LoadBalancerNotFoundError,
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
    ['a server fault', sdk('SomethingBroke', { $fault: 'server', $metadata: { httpStatusCode: 500 } })],
    ['a 501 of an unknown name', sdk('NotImplementedHere', { $metadata: { httpStatusCode: 501 } })],
    ['a modeled retryable error', sdk('ResourceContention', { $retryable: {} })],
    ['the request timeout of our handler', sdk('TimeoutError', { code: 'ETIMEDOUT' })],
    ['a reset connection', sdk('Error', { code: 'ECONNRESET' })],
    ['a refused connection', sdk('Error', { code: 'ECONNREFUSED' })],
    ['a throttling trait on an unlisted name', sdk('SlowDownPlease', { $retryable: { throttling: true } })],
    ['throttling inside a plain wrapper', new Error('could not describe', { cause: sdk('Throttling') })],
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
    ['an abort whose reason is a timeout', sdk('AbortError', { cause: sdk('TimeoutError') })],
    ['a 5xx-named error without a status', sdk('InternalFailure')],
    ['an instance that is not found', new InstanceNotFoundError('i-0abc', ctx, { cause: sdk('Throttling') })],
    ['a group that is not found', new GroupNotFoundError('web', ctx)],
    [
      'a load balancer that is not found',
      new LoadBalancerNotFoundError('lb', ctx, { cause: sdk('TimeoutError') }),
    ],
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

// The SDK's retry layer classifies these as worth retrying; the lists once copied into errors.ts did not, so the
// gate abandoned at once on a failure the SDK itself would have waited out.
describe('isTransientAwsError follows the SDK classification, not a copied list', () => {
  const sdkOnly: [string, unknown][] = [
    ['an unresolvable endpoint name (DNS)', sdk('Error', { code: 'ENOTFOUND' })],
    [
      'a signature rejected after the SDK corrected its clock skew',
      sdk('SignatureDoesNotMatch', { $metadata: { httpStatusCode: 403, clockSkewCorrected: true } }),
    ],
    [
      'an expired signature',
      sdk('InvalidSignatureException', {
        message: 'Signature expired: 20250101T000000Z is now earlier than 20250101T000500Z',
        $metadata: { httpStatusCode: 400 },
      }),
    ],
    [
      'an HTTP/2 stream the server refused',
      Object.assign(new Error('Stream closed with error code NGHTTP2_REFUSED_STREAM'), {
        code: 'ERR_HTTP2_STREAM_ERROR',
      }),
    ],
  ];
  for (const [name, error] of sdkOnly) {
    it(`${name} is transient, bare and wrapped`, () => {
      expect(isTransientAwsError(error)).toBe(true);
      expect(isTransientAwsError(wrapped(error))).toBe(true);
    });
  }

  it('a clock-skew error the SDK did not correct stays permanent (credentials or clock are wrong)', () => {
    const error = sdk('SignatureDoesNotMatch', { $metadata: { httpStatusCode: 403 } });
    expect(isTransientAwsError(wrapped(error))).toBe(false);
  });
});
