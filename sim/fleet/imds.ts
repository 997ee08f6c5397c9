/**
 * A fake IMDSv2 for one instance, on loopback: `PUT /latest/api/token` hands out a session token,
 * `GET /latest/meta-data/{instance-id,local-ipv4}` answers only with it (401 without), as EC2's does.
 * Hand-written: the two endpoints the app reads do not justify a dependency.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the instance's metadata says about it. */
export interface ImdsIdentity {
  instanceId: string;
  localIpv4: string;
}

/** A listening metadata service. */
export interface ImdsServer {
  /** `http://host:port`: the instance's `AWS_EC2_METADATA_SERVICE_ENDPOINT`. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Serves `identity` on `host:port` (port 0: any free port). The host must be a loopback address.
 *
 * @example
 * const imds = await startImds({ instanceId: 'i-0abc', localIpv4: '127.0.1.5' }, '127.0.1.5');
 */
export async function startImds(identity: ImdsIdentity, host: string, port = 0): Promise<ImdsServer> {
  if (!host.startsWith('127.')) {
    throw new Error(`IMDS binds loopback only; got ${host}`);
  }
  const tokens = new Set<string>();
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (req.method === 'PUT' && url === '/latest/api/token') {
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21_600) {
        res.writeHead(400).end();
        return;
      }
      const token = randomBytes(24).toString('base64url');
      tokens.add(token);
      res.writeHead(200, {
        'content-type': 'text/plain',
        'x-aws-ec2-metadata-token-ttl-seconds': String(ttl),
      });
      res.end(token);
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    const token = req.headers['x-aws-ec2-metadata-token'];
    if (typeof token !== 'string' || !tokens.has(token)) {
      res.writeHead(401).end();
      return;
    }
    const values: Record<string, string> = {
      '/latest/meta-data/instance-id': identity.instanceId,
      '/latest/meta-data/local-ipv4': identity.localIpv4,
    };
    const value = values[url];
    if (value === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(value);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
