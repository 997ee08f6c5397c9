/**
 * Test fleet for the rollback check: real HTTP servers on loopback addresses (127.0.0.N, one shared port) standing
 * in for instances' deep /health, and the AWS answers that describe them (for aws-sdk-client-mock).
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one fake instance answers. */
export interface InstanceAnswer {
  status: 'pass' | 'warn' | 'fail';
  /** Reported instance id; default the instance's own. */
  instanceId?: string;
  version?: string;
  checks?: Record<string, { status: 'pass' | 'warn' | 'fail'; transient?: boolean; componentType?: string }>;
}

/** One request an instance received. */
export interface ReceivedRequest {
  address: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A set of fake instances on one port. */
export interface Fleet {
  port: number;
  requests: ReceivedRequest[];
  /** Sets what the instance at `address` answers next (it must be one of the fleet's addresses). */
  answer(address: string, instanceId: string, answer: InstanceAnswer): void;
  close(): Promise<void>;
}

/** Starts one server per address, all on the port the first one got from the OS. */
export async function startFleet(addresses: readonly string[]): Promise<Fleet> {
  const requests: ReceivedRequest[] = [];
  const answers = new Map<string, { instanceId: string; answer: InstanceAnswer }>();
  const servers: Server[] = [];
  let port = 0;
  for (const address of addresses) {
    const server = createServer((req, res) => {
      requests.push({ address, url: req.url ?? '', headers: req.headers });
      const entry = answers.get(address);
      if (!entry) {
        res.writeHead(404).end();
        return;
      }
      const { instanceId, answer } = entry;
      const checks = Object.fromEntries(
        Object.entries(answer.checks ?? {}).map(([name, c]) => [
          name,
          [
            {
              status: c.status,
              componentType: c.componentType ?? 'component',
              time: new Date(0).toISOString(),
              ...(c.transient === false ? { transient: false } : {}),
            },
          ],
        ]),
      );
      const body = {
        status: answer.status,
        instanceId: answer.instanceId ?? instanceId,
        ...(answer.version ? { version: answer.version } : {}),
        checks,
      };
      res
        .writeHead(answer.status === 'fail' ? 503 : 200, {
          'content-type': 'application/health+json',
          'cache-control': 'no-store',
        })
        .end(JSON.stringify(body));
    });
    server.listen(port, address);
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  return {
    port,
    requests,
    answer(address, instanceId, answer) {
      answers.set(address, { instanceId, answer });
    },
    async close() {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}
