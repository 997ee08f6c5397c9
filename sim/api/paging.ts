/**
 * Paging as AWS's list calls do it: a page size bounded by the operation's documented default and maximum, an
 * out-of-range size refused with the service's validation error, and an opaque continuation token. The token
 * names the last item returned rather than an offset, so items added or removed between two pages neither
 * repeat nor skip the ones that stayed (AWS gives no ordering guarantee across pages either).
 */
import { SimError } from '../model/errors';

/** One operation's page-size parameter, as its API reference documents it. */
export interface PageLimit {
  /** The member as AWS's validation messages spell it: `maxRecords`, `maxResults`, `pageSize`. */
  member: string;
  /** Page size when the caller gives none; `undefined` answers everything at once (EC2's unpaginated call). */
  default: number | undefined;
  min: number;
  max: number;
}

/** How a service refuses a bad page size or token. */
export interface PagingErrors {
  outOfRange(value: number, limit: PageLimit): SimError;
  invalidToken(token: string): SimError;
}

/**
 * The errors of the services that validate with Coral's messages (Auto Scaling, ELB, ELBv2, SSM):
 * `1 validation error detected: Value '200' at 'maxRecords' failed to satisfy constraint: …`.
 */
export const coralPagingErrors = (
  validationCode: string,
  invalidTokenCode: string,
  invalidTokenMessage = 'The NextToken value is not valid.',
): PagingErrors => ({
  outOfRange: (value, limit) =>
    new SimError(
      validationCode,
      `1 validation error detected: Value '${value}' at '${limit.member}' failed to satisfy constraint: Member must have value ${
        value < limit.min ? `greater than or equal to ${limit.min}` : `less than or equal to ${limit.max}`
      }`,
    ),
  invalidToken: () => new SimError(invalidTokenCode, invalidTokenMessage),
});

/** EC2's own shape: `InvalidParameterValue: Value ( 1 ) for parameter maxResults is invalid. …`. */
export const ec2PagingErrors: PagingErrors = {
  outOfRange: (value, limit) =>
    new SimError(
      'InvalidParameterValue',
      `Value ( ${value} ) for parameter ${limit.member} is invalid. Expecting a value ${
        value < limit.min ? `greater than ${limit.min}` : `less than or equal to ${limit.max}`
      }.`,
    ),
  invalidToken: () =>
    new SimError('InvalidPaginationToken', 'The specified pagination token is not valid or is expired.'),
};

/** The page size to use: the caller's, validated against `limit`, else the default. */
export const pageSize = (
  requested: number | undefined,
  limit: PageLimit,
  errors: PagingErrors,
): number | undefined => {
  if (requested === undefined) return limit.default;
  if (!Number.isInteger(requested) || requested < limit.min || requested > limit.max) {
    throw errors.outOfRange(requested, limit);
  }
  return requested;
};

const encodeToken = (lastKey: string): string =>
  Buffer.from(JSON.stringify({ after: lastKey }), 'utf8').toString('base64');

const decodeToken = (token: string, errors: PagingErrors): string => {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
    if (typeof parsed?.after === 'string') return parsed.after;
  } catch {
    // Falls through to the service's own error: a token the sim did not issue.
  }
  throw errors.invalidToken(token);
};

/**
 * One page of `items` in the order of `key` (unique per item), after the item `token` names.
 *
 * @example
 * const { page, next } = pageOf(groups, (g) => g.name, { size: 50, token: input.NextToken }, errors);
 */
export const pageOf = <T>(
  items: readonly T[],
  key: (item: T) => string,
  request: { size: number | undefined; token?: string | undefined },
  errors: PagingErrors,
): { page: T[]; next?: string } => {
  const sorted = [...items].sort((a, b) => compare(key(a), key(b)));
  const after = request.token ? decodeToken(request.token, errors) : undefined;
  const rest = after === undefined ? sorted : sorted.filter((item) => compare(key(item), after) > 0);
  if (request.size === undefined || rest.length <= request.size) return { page: rest };
  const page = rest.slice(0, request.size);
  return { page, next: encodeToken(key(page.at(-1)!)) };
};

/** Code-unit order: stable and locale-independent, so a token means the same thing on every run. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
