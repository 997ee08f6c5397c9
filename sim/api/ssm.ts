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
import type { Parameter } from '../model/parameters';

/** A JSON operation: plain JSON in, plain JSON out (timestamps as epoch seconds). */
export type JsonOperation = (input: unknown) => unknown;

/** Everything after the last `/` of a name given as an ARN, and no `:version` selector. */
const normaliseName = (name: string): string => {
  const arn = /^arn:aws:ssm:[^:]*:\d*:parameter(\/.*)$/.exec(name);
  const bare = arn ? (arn[1]!.startsWith('//') ? arn[1]!.slice(1) : arn[1]!) : name;
  return bare.replace(/:\d+$/, '');
};

/** The operations by action name. */
export const ssmOperations = (cp: ControlPlane): Record<string, JsonOperation> => {
  const params = cp.parameters;
  const view = (p: Parameter) => ({
    Name: p.name,
    Type: p.type,
    Value: p.value,
    Version: p.version,
    LastModifiedDate: p.lastModified / 1000,
    ARN: `arn:aws:ssm:${cp.region}:${cp.accountId}:parameter${p.name.startsWith('/') ? '' : '/'}${p.name}`,
    DataType: p.dataType,
  });
  return {
    GetParameter: (raw) => {
      const i = raw as GetParameterRequest;
      return { Parameter: view(params.get(normaliseName(i.Name ?? ''))) };
    },
    GetParameters: (raw) => {
      const i = raw as GetParametersRequest;
      const names = (i.Names ?? []).map(normaliseName);
      const found = names.map((n) => params.find(n)).filter((p): p is Parameter => p !== undefined);
      return { Parameters: found.map(view), InvalidParameters: names.filter((n) => !params.find(n)) };
    },
    GetParametersByPath: (raw) => {
      const i = raw as GetParametersByPathRequest;
      if (!i.Path?.startsWith('/'))
        throw new SimError('ValidationException', 'The parameter path must begin with a slash (/).');
      const all = params.byPath(i.Path, i.Recursive ?? false);
      const start = i.NextToken ? Number(i.NextToken) : 0;
      const max = Math.min(i.MaxResults ?? 10, 10);
      const page = all.slice(start, start + max);
      const next = start + max < all.length ? String(start + max) : undefined;
      return { Parameters: page.map(view), ...(next ? { NextToken: next } : {}) };
    },
    PutParameter: (raw) => {
      const i = raw as PutParameterRequest;
      const p = params.put({
        name: i.Name ?? '',
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
