/**
 * Every default client fails a call to an endpoint that accepts the connection and never answers, instead of
 * hanging until Lambda's own timeout. The endpoint is a real TCP server on loopback, reached the way production
 * reaches the local control plane: `AWS_ENDPOINT_URL`.
 */

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAutoScalingClient } from '../../../shared/aws/autoscaling';
import {
  CONNECTION_TIMEOUT_MS,
  DEFAULT_CLIENT_CONFIG,
  REQUEST_TIMEOUT_MS,
} from '../../../shared/aws/client-config';
import { createEc2Client } from '../../../shared/aws/ec2';
import { createElbClient } from '../../../shared/aws/elb';
import { createElbV2Client } from '../../../shared/aws/elbv2';
import { createSqsClient } from '../../../shared/aws/sqs';
import { createSsmClient } from '../../../shared/aws/ssm';

let server: Server;
const sockets = new Set<Socket>();
let requests = 0;

beforeAll(async () => {
  // Accepts, reads the request, never answers.
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      requests += 1;
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('AWS client timeouts', () => {
  it('the shared configuration bounds connecting and each request, and makes the bound an error', () => {
    expect(DEFAULT_CLIENT_CONFIG.requestHandler).toEqual({
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    });
  });

  // One attempt each, so the bound is one request timeout; the default four attempts fail within four of them
  // plus the SDK's backoff. Without the timeouts every call below hangs and the test's own timeout fails it.
  it(
    'a hung endpoint fails every default client with TimeoutError',
    async () => {
      const once = { maxAttempts: 1 };
      const calls: [string, Promise<unknown>][] = [
        [
          'autoscaling',
          createAutoScalingClient(once).send(
            new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['g'] }),
          ),
        ],
        [
          'ec2',
          createEc2Client(once).send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
        ],
        ['elb', createElbClient(once).send(new DescribeLoadBalancersCommand({}))],
        ['elbv2', createElbV2Client(once).send(new DescribeTargetGroupsCommand({}))],
        ['ssm', createSsmClient(once).send(new GetParameterCommand({ Name: '/healthgate/x' }))],
        [
          'sqs',
          createSqsClient(once).send(
            new SendMessageCommand({
              QueueUrl: `${process.env.AWS_ENDPOINT_URL}/000000000000/q`,
              MessageBody: '{}',
            }),
          ),
        ],
      ];
      const started = performance.now();
      const outcomes = await Promise.all(
        calls.map(async ([service, call]) => [
          service,
          await call.then(
            () => 'answered',
            (e: Error) => e.name,
          ),
        ]),
      );
      const elapsed = performance.now() - started;
      expect(Object.fromEntries(outcomes)).toEqual({
        autoscaling: 'TimeoutError',
        ec2: 'TimeoutError',
        elb: 'TimeoutError',
        elbv2: 'TimeoutError',
        ssm: 'TimeoutError',
        sqs: 'TimeoutError',
      });
      // Every call reached the server (the failure is the timeout, not a refused connection).
      expect(requests).toBe(calls.length);
      expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    },
    REQUEST_TIMEOUT_MS * 3,
  );
});
