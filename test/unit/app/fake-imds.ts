import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fake IMDSv2 on 127.0.0.1:0: a token from PUT, metadata only with that token. */
export async function startFakeImds(
  identity: { privateIp: string; instanceId: string },
  options: { hang?: boolean } = {},
) {
  const token = 'fake-imds-token';
  const seen: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (options.hang) {
      return; // never answers
    }
    if (
      req.method === 'PUT' &&
      req.url === '/latest/api/token' &&
      req.headers['x-aws-ec2-metadata-token-ttl-seconds']
    ) {
      res.end(token);
      return;
    }
    if (req.headers['x-aws-ec2-metadata-token'] !== token) {
      res.statusCode = 401;
      res.end();
      return;
    }
    const values: Record<string, string> = {
      '/latest/meta-data/local-ipv4': identity.privateIp,
      '/latest/meta-data/instance-id': identity.instanceId,
    };
    const value = req.method === 'GET' ? values[req.url ?? ''] : undefined;
    res.statusCode = value === undefined ? 404 : 200;
    res.end(value ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
