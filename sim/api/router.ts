/**
 * Which service a request is for. One endpoint serves them all, so the SigV4 credential scope
 * (`…/<region>/<service>/aws4_request`) names the service, and `Version` separates classic ELB from ELBv2
 * (both sign as `elasticloadbalancing`). The JSON services (SSM, SQS) also name themselves in `X-Amz-Target`.
 */

/** The emulated services. */
export const Service = {
  autoscaling: 'autoscaling',
  elb: 'elb',
  elbv2: 'elbv2',
  ec2: 'ec2',
  ssm: 'ssm',
  sqs: 'sqs',
} as const;
export type Service = (typeof Service)[keyof typeof Service];

/** The query-protocol services: API version, XML namespace, dialect. */
export const QueryServices = {
  autoscaling: {
    version: '2011-01-01',
    xmlns: 'http://autoscaling.amazonaws.com/doc/2011-01-01/',
    ec2: false,
  },
  elb: {
    version: '2012-06-01',
    xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/',
    ec2: false,
  },
  elbv2: {
    version: '2015-12-01',
    xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
    ec2: false,
  },
  ec2: { version: '2016-11-15', xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/', ec2: true },
} as const;

const byVersion: Record<string, Service> = Object.fromEntries(
  Object.entries(QueryServices).map(([name, s]) => [s.version, name as Service]),
);

/** The signing name from an `Authorization: AWS4-HMAC-SHA256 Credential=…/scope` header. */
export const signingName = (authorization: string | undefined): string | undefined =>
  /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization ?? '')?.[1];

/** Routes a request to its service, or `undefined` when it names none we emulate. */
export const routeService = (req: {
  authorization?: string;
  target?: string;
  version?: string | null;
}): Service | undefined => {
  const name = signingName(req.authorization);
  if (name === 'ssm' || (!name && req.target?.startsWith('AmazonSSM.'))) return Service.ssm;
  if (name === 'sqs' || (!name && req.target?.startsWith('AmazonSQS.'))) return Service.sqs;
  if (name === 'autoscaling' || name === 'ec2') return name;
  if (name === 'elasticloadbalancing') {
    if (req.version === QueryServices.elb.version) return Service.elb;
    if (req.version === QueryServices.elbv2.version) return Service.elbv2;
    return undefined;
  }
  if (!name && req.version) return byVersion[req.version];
  return undefined;
};
