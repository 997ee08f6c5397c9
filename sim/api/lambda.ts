/**
 * Lambda's Invoke REST API (restJson1): `POST /2015-03-31/functions/{FunctionName}/invocations`, the invocation
 * type in `X-Amz-Invocation-Type`, the payload as the raw body. Answers and errors in the shapes
 * `@aws-sdk/client-lambda` deserialises: 200 + payload (+ `X-Amz-Function-Error`) / 202 / 204, errors with
 * `X-Amzn-ErrorType` and a `{ Type, Message }` body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LambdaThrottleError, ThrottleReason } from '../lambda/concurrency';
import { type LambdaFunctions, PAYLOAD_LIMITS } from '../lambda/functions';
import { SimError } from '../model/errors';

/** Path prefix of the one emulated Lambda operation. */
export const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?(.*))?$/;

/** Whether a request is for Lambda's API (the path names it; every Lambda operation is under a dated prefix). */
export const isLambdaRequest = (url: string | undefined): boolean =>
  /^\/20\d\d-\d\d-\d\d\/functions(\/|$|\?)/.test(url ?? '');

/** What one answered call looked like, for the request log. */
export interface LambdaCallOutcome {
  action: string;
  params: unknown;
  status: number;
  result: string;
}

/** Faults applied to an Invoke call before it runs; `request` identifies a retried request (path and payload). */
export type LambdaFaultHook = (action: string, request: string) => Promise<SimError | undefined>;

const readBytes = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * Lambda's error body: `Type` is `User` for 4xx, `Service` for 5xx. A throttle names its reason; an injected
 * throttle, which has none of its own, reports the function's reserved concurrency.
 */
const sendError = (res: ServerResponse, err: SimError, requestId: string): void => {
  const reason = err instanceof LambdaThrottleError ? err.reason : ThrottleReason.reserved;
  const body = JSON.stringify({
    Type: err.status >= 500 ? 'Service' : 'User',
    Message: err.message,
    ...(err.code === 'TooManyRequestsException' ? { message: err.message, Reason: reason } : {}),
  });
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': err.code,
    ...(err.code === 'TooManyRequestsException' ? { 'retry-after': '1' } : {}),
  });
  res.end(body);
};

/**
 * Answers one Lambda API request.
 *
 * @returns what happened, for the request log.
 */
export async function handleLambda(
  req: IncomingMessage,
  res: ServerResponse,
  deps: { functions: LambdaFunctions; requestId: () => string; fault: LambdaFaultHook },
): Promise<LambdaCallOutcome> {
  const bytes = await readBytes(req);
  const match = INVOKE_PATH.exec(req.url ?? '');
  const errorId = deps.requestId();
  let params: unknown;
  try {
    if (!match || req.method !== 'POST') {
      throw new SimError(
        'UnknownOperationException',
        `Only Invoke is emulated; got ${req.method} ${req.url}`,
        404,
      );
    }
    const name = decodeURIComponent(match[1]!);
    const qualifier = new URLSearchParams(match[2] ?? '').get('Qualifier');
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    params = { FunctionName: name, InvocationType: type, ...(qualifier ? { Qualifier: qualifier } : {}) };
    const injected = await deps.fault('Invoke', `${req.url}\n${bytes.toString('utf8')}`);
    if (injected) throw injected;
    if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
      throw new SimError(
        'InvalidParameterValueException',
        `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
      );
    }
    const fullName = qualifier ? `${name}:${qualifier}` : name;
    deps.functions.resolve(fullName);
    const limit = type === 'Event' ? PAYLOAD_LIMITS.Event : PAYLOAD_LIMITS.RequestResponse;
    if (bytes.length > limit) {
      throw new SimError(
        'RequestTooLargeException',
        `Request must be smaller than ${limit} bytes for the ${type === 'Event' ? 'Event' : 'RequestResponse'} invocation type`,
        413,
      );
    }
    let event: unknown = {};
    if (bytes.length > 0) {
      try {
        event = JSON.parse(bytes.toString('utf8')) as unknown;
      } catch (e) {
        throw new SimError(
          'InvalidRequestContentException',
          `Could not parse request body into json: ${(e as Error).message}`,
        );
      }
    }
    if (type === 'DryRun') {
      res.writeHead(204, { 'x-amzn-requestid': errorId }).end();
      return { action: 'Invoke', params, status: 204, result: 'ok' };
    }
    if (type === 'Event') {
      const { requestId } = deps.functions.invokeAsync(fullName, event);
      res.writeHead(202, { 'x-amzn-requestid': requestId, 'content-length': 0 }).end();
      return { action: 'Invoke', params, status: 202, result: 'ok' };
    }
    const out = await deps.functions.invoke(fullName, event);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(out.payload),
      'x-amzn-requestid': out.requestId,
      'x-amz-executed-version': '$LATEST',
      ...(out.functionError ? { 'x-amz-function-error': out.functionError } : {}),
    });
    res.end(out.payload);
    return { action: 'Invoke', params, status: 200, result: out.functionError ? 'Unhandled' : 'ok' };
  } catch (e) {
    const err =
      e instanceof SimError
        ? e
        : new SimError('ServiceException', 'An internal error occurred.', 500, 'Receiver', { cause: e });
    sendError(res, err, errorId);
    return { action: match ? 'Invoke' : 'Unknown', params, status: err.status, result: err.code };
  }
}
