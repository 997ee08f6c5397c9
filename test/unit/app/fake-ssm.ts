import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake SSM Parameter Store on 127.0.0.1:0 speaking the JSON 1.1 wire protocol for `GetParametersByPath`
 * only, reached by the real SDK client through `AWS_ENDPOINT_URL`. `deny` answers AccessDeniedException.
 */
export async function startFakeSsm(parameters: Record<string, string>, options: { deny?: boolean } = {}) {
  const calls: { target: string; input: Record<string, unknown> }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      calls.push({ target, input });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (options.deny || target !== 'AmazonSSM.GetParametersByPath') {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'not allowed' }));
        return;
      }
      const base = String(input.Path ?? '');
      const found = Object.entries(parameters)
        .filter(([name]) => name.startsWith(base))
        .map(([Name, Value]) => ({ Name, Value, Type: 'SecureString' }));
      res.end(JSON.stringify({ Parameters: found }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
