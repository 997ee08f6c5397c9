/** SSM Parameter Store (JSON 1.1, `X-Amz-Target: AmazonSSM.<Action>`) operations. */
import type {
  DeleteParameterRequest,
  GetParameterRequest,
  GetParametersByPathRequest,
  GetParametersRequest,
  PutParameterRequest,
} from '@aws-sdk/client-ssm';
import type { ControlPlane } from '../model/control-plane';
import { SimError } from '../model/errors';
import { type Parameter, validParameterName } from '../model/parameters';
import type { JsonOperation } from './operation';
import { coralPagingErrors, type PageLimit, pageOf, pageSize } from './paging';

/** Everything after the last `/` of a name given as an ARN, and no `:version` selector. */
const normaliseName = (name: string): string => {
  const arn = /^arn:aws:ssm:[^:]*:\d*:parameter(\/.*)$/.exec(name);
  const bare = arn ? (arn[1]!.startsWith('//') ? arn[1]!.slice(1) : arn[1]!) : name;
  return bare.replace(/:\d+$/, '');
};

/** GetParametersByPath: MaxResults "Valid Range: Minimum value of 1. Maximum value of 10." */
const BY_PATH_PAGE: PageLimit = { member: 'maxResults', default: 10, min: 1, max: 10 };
/** GetParameters: Names "Array Members: Minimum number of 1 item. Maximum number of 10 items." */
const MAX_NAMES = 10;
const errors = coralPagingErrors(
  'ValidationException',
  'InvalidNextToken',
  "The specified token isn't valid.",
);

/** The operations by action name. */
export const ssmOperations = (cp: ControlPlane): Record<string, JsonOperation> => {
  const params = cp.parameters;
  const view = (p: Parameter, decrypt: boolean | undefined) => ({
    Name: p.name,
    Type: p.type,
    Value: params.readValue(p, decrypt ?? false),
    Version: p.version,
    LastModifiedDate: p.lastModified / 1000,
    ARN: `arn:aws:ssm:${cp.region}:${cp.accountId}:parameter${p.name.startsWith('/') ? '' : '/'}${p.name}`,
    DataType: p.dataType,
  });
  return {
    GetParameter: (raw) => {
      const i = raw as GetParameterRequest;
      return { Parameter: view(params.get(normaliseName(i.Name ?? '')), i.WithDecryption) };
    },
    GetParameters: (raw) => {
      const i = raw as GetParametersRequest;
      const names = (i.Names ?? []).map(normaliseName);
      if (names.length < 1 || names.length > MAX_NAMES) {
        throw new SimError(
          'ValidationException',
          `1 validation error detected: Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: Member must have length ${
            names.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_NAMES}`
          }`,
        );
      }
      const found = names.map((n) => params.find(n)).filter((p): p is Parameter => p !== undefined);
      return {
        Parameters: found.map((p) => view(p, i.WithDecryption)),
        InvalidParameters: names.filter((n) => !params.find(n)),
      };
    },
    GetParametersByPath: (raw) => {
      const i = raw as GetParametersByPathRequest;
      const size = pageSize(i.MaxResults, BY_PATH_PAGE, errors);
      if (!i.Path?.startsWith('/'))
        throw new SimError('ValidationException', 'The parameter path must begin with a slash (/).');
      const all = params.byPath(i.Path, i.Recursive ?? false);
      const { page, next } = pageOf(all, (p) => p.name, { size, token: i.NextToken }, errors);
      return { Parameters: page.map((p) => view(p, i.WithDecryption)), ...(next ? { NextToken: next } : {}) };
    },
    PutParameter: (raw) => {
      const i = raw as PutParameterRequest;
      const name = validParameterName(i.Name ?? '');
      if (i.Type === undefined && !params.find(name)) {
        throw new SimError(
          'ValidationException',
          'A parameter type is required when you create a parameter.',
        );
      }
      const p = params.put({
        name,
        value: i.Value ?? '',
        type: i.Type,
        overwrite: i.Overwrite,
        description: i.Description,
        dataType: i.DataType,
      });
      return { Version: p.version, Tier: 'Standard' };
    },
    DeleteParameter: (raw) => {
      params.delete(normaliseName((raw as DeleteParameterRequest).Name ?? ''));
      return {};
    },
  };
};
