/**
 * The HTTP front of the control plane: decodes each call in its service's wire protocol, applies injected
 * faults, runs the operation and answers in AWS's response and error shapes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { LambdaFunctions } from '../lambda/functions';
import type { ControlPlane } from '../model/control-plane';
import { SimError } from '../model/errors';
import type { Random } from '../model/ids';
import { SqsError } from '../model/sqs-errors';
import { autoscalingOperations } from './autoscaling';
import { ec2Operations } from './ec2';
import { elbOperations } from './elb';
import { elbv2Operations } from './elbv2';
import { decideFault, type FaultRule, type FaultStreaks } from './faults';
import { handleLambda, isLambdaRequest } from './lambda';
import type { JsonOperation, Operation } from './operation';
import { decodeQuery, encodeOutputMembers, escapeXml } from './query-codec';
import { RequestLog } from './request-log';
import { QueryServices, routeService, Service } from './router';
import { sqsOperations } from './sqs';
import { ssmOperations } from './ssm';

export interface ApiServerOptions {
  controlPlane: ControlPlane;
  /** Randomness for fault decisions (seed it for reproducible runs). */
  random: Random;
  sleep: (ms: number) => Promise<void>;
  requestLog?: RequestLog;
  /** Lambda functions behind the Invoke API; without it Lambda requests get ResourceNotFoundException. */
  functions?: LambdaFunctions;
}

/** Runtime-settable fault rules. */
export class Faults {
  private rules: FaultRule[] = [];
  /** Injected errors in a row (for `maxConsecutive`). */
  readonly streaks: FaultStreaks = new Map();
  /** Replaces the rules. */
  set(rules: FaultRule[]): void {
    this.rules = [...rules];
    this.streaks.clear();
  }
  clear(): void {
    this.rules = [];
    this.streaks.clear();
  }
  list(): readonly FaultRule[] {
    return this.rules;
  }
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** The SDK's id of one logical call, the same on each of its retries (`amz-sdk-invocation-id`). */
const sdkCallId = (req: IncomingMessage): string | undefined => {
  const id = req.headers['amz-sdk-invocation-id'];
  return typeof id === 'string' ? id : undefined;
};

const toSimError = (e: unknown): SimError =>
  e instanceof SimError
    ? e
    : new SimError('InternalFailure', 'An internal error occurred.', 500, 'Receiver', { cause: e });

/** Builds the request handler and its fault rules over a control plane. */
export const createApi = (options: ApiServerOptions) => {
  const cp = options.controlPlane;
  const noFunctions = new LambdaFunctions({
    region: cp.region,
    accountId: cp.accountId,
    requestId: () => cp.ids.requestId(),
  });
  const log = options.requestLog ?? new RequestLog();
  const faults = new Faults();
  const queryOps: Record<string, Record<string, Operation>> = {
    [Service.autoscaling]: autoscalingOperations(cp),
    [Service.elb]: elbOperations(cp),
    [Service.elbv2]: elbv2Operations(cp),
    [Service.ec2]: ec2Operations(cp),
  };
  /** The JSON services: content type, API version (for the unknown-operation message), operations. */
  const jsonServices: Partial<
    Record<Service, { contentType: string; version: string; ops: Record<string, JsonOperation> }>
  > = {
    [Service.ssm]: {
      contentType: 'application/x-amz-json-1.1',
      version: '2014-11-06',
      ops: ssmOperations(cp),
    },
    [Service.sqs]: {
      contentType: 'application/x-amz-json-1.0',
      version: '2012-11-05',
      ops: sqsOperations(cp),
    },
  };

  /**
   * A JSON service's error: `__type` and `X-Amzn-ErrorType` name it; SQS (query-compatible) also sends the query
   * protocol's code and fault in `X-Amzn-Query-Error`, which its SDK reads first.
   */
  const sendJsonError = (
    res: ServerResponse,
    service: Service | undefined,
    err: SimError,
    requestId: string,
  ) => {
    const sqs = service === Service.sqs;
    const body = sqs
      ? { __type: `com.amazonaws.sqs#${err.code}`, message: err.message }
      : { __type: err.code, message: err.message };
    const queryCode = err instanceof SqsError ? err.queryCode : err.code;
    send(
      res,
      err.status,
      jsonServices[service ?? Service.ssm]!.contentType,
      JSON.stringify(body),
      requestId,
      {
        'x-amzn-errortype': err.code,
        ...(sqs ? { 'x-amzn-query-error': `${queryCode};${err.fault}` } : {}),
      },
    );
  };

  const send = (
    res: ServerResponse,
    status: number,
    contentType: string,
    body: string,
    requestId: string,
    extra = {},
  ) => {
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': requestId,
      ...extra,
    });
    res.end(body);
  };

  const queryError = (service: Service | undefined, err: SimError, requestId: string): string => {
    const msg = escapeXml(err.message);
    if (service === Service.ec2) {
      return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(err.code)}</Code><Message>${msg}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
    }
    const xmlns =
      service && service in QueryServices
        ? QueryServices[service as keyof typeof QueryServices].xmlns
        : QueryServices.autoscaling.xmlns;
    return `<ErrorResponse xmlns="${xmlns}"><Error><Type>${err.fault}</Type><Code>${escapeXml(err.code)}</Code><Message>${msg}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const time = cp.scheduler.now();
    if (isLambdaRequest(req.url)) {
      let injected = false;
      const out = await handleLambda(req, res, {
        functions: options.functions ?? noFunctions,
        requestId: () => cp.ids.requestId(),
        fault: async (action, request) => {
          const fault = decideFault(
            faults.list(),
            { service: 'lambda', action, request: sdkCallId(req) ?? request },
            options.random,
            faults.streaks,
          );
          if (fault.latencyMs > 0) await options.sleep(fault.latencyMs);
          injected = fault.error !== undefined;
          return fault.error;
        },
      });
      log.add({ time, service: 'lambda', ...out, injected, durationMs: Date.now() - started });
      return;
    }
    const requestId = cp.ids.requestId();
    const body = await readBody(req);
    const target = req.headers['x-amz-target'];
    const isJson = typeof target === 'string';
    const params = isJson ? undefined : new URLSearchParams(body);
    const service = routeService({
      authorization: req.headers.authorization,
      target: isJson ? target : undefined,
      version: params?.get('Version'),
    });
    const action = (isJson ? target.split('.')[1] : params?.get('Action')) ?? '';
    let input: unknown;
    let injected = false;
    const record = (status: number, result: string) =>
      log.add({
        time,
        service: service ?? 'unknown',
        action,
        params: input,
        status,
        result,
        injected,
        durationMs: Date.now() - started,
      });
    // A long poll ends when its caller goes away (the SDK's abort, or the sim closing every connection).
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    try {
      if (!service)
        throw new SimError('InvalidAction', `No emulated service for this request (action ${action})`);
      const json = jsonServices[service];
      const op = json ? undefined : queryOps[service]![action];
      const jsonOp = json?.ops[action];
      if (!op && !jsonOp) {
        throw new SimError(
          json ? 'UnknownOperationException' : 'InvalidAction',
          `Could not find operation ${action} for version ${json ? json.version : QueryServices[service as keyof typeof QueryServices].version}`,
        );
      }
      input = json
        ? JSON.parse(body || '{}')
        : decodeQuery(op!.schema, params!, { ec2: service === Service.ec2 });
      const fault = decideFault(
        faults.list(),
        { service, action, request: sdkCallId(req) ?? body },
        options.random,
        faults.streaks,
      );
      if (fault.latencyMs > 0) await options.sleep(fault.latencyMs);
      if (fault.error) {
        injected = true;
        throw fault.error;
      }
      if (jsonOp) {
        const out = await jsonOp(input, { signal: gone.signal });
        send(res, 200, json!.contentType, JSON.stringify(out), requestId);
      } else {
        const out = (await op!.handle(input as never)) as Record<string, unknown>;
        const q = QueryServices[service as keyof typeof QueryServices];
        const members = encodeOutputMembers(op!.schema, out ?? {});
        const xml = q.ec2
          ? `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${q.xmlns}"><requestId>${requestId}</requestId>${members}</${action}Response>`
          : `<${action}Response xmlns="${q.xmlns}"><${action}Result>${members}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
        send(res, 200, 'text/xml', xml, requestId);
      }
      record(200, 'ok');
    } catch (e) {
      const err = toSimError(e);
      if ((service && jsonServices[service]) || (!service && isJson)) {
        sendJsonError(res, service, err, requestId);
      } else {
        send(res, err.status, 'text/xml', queryError(service, err, requestId), requestId);
      }
      record(err.status, err.code);
    }
  };

  return { handle, faults, log };
};

/** Starts an HTTP server for the handler on `host:port` (port 0 = any free port). */
export const listen = (
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  host: string,
  port: number,
): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(e));
      });
    });
    server.keepAliveTimeout = 5_000;
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
