import { readFile } from 'node:fs/promises';
import type { AppConfig } from './config';
import { InstanceIdentityError } from './errors';

/** What the instance learns about itself at boot. */
export interface InstanceIdentity {
  /** The instance's private IPv4 (IMDS `local-ipv4`): admitted as a Host so the LB and the gate can probe it. */
  privateIp?: string;
  /** From IMDS, else `INSTANCE_ID`. Goes into the health body. */
  instanceId?: string;
  /** Hosts listed in `ALLOWED_HOSTS_FILE` (written by user-data). */
  fileHosts: string[];
}

/** What discovery needs from outside. */
export interface IdentityDeps {
  fetch?: typeof fetch;
  readFile?: (file: string) => Promise<string>;
}

const TOKEN_TTL_SECONDS = '300';

/**
 * Discovers the instance's identity: IMDSv2 only when `INSTANCE_METADATA=imds` (endpoint
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT`, each request bounded by `IMDS_TIMEOUT_MS`), the hosts file when
 * `ALLOWED_HOSTS_FILE` is set. Where configuration says to look and nothing answers, throws
 * {@link InstanceIdentityError}: an instance that cannot say who it is must not pass its health.
 */
export async function discoverIdentity(
  config: Pick<
    AppConfig,
    'instanceId' | 'allowedHostsFile' | 'instanceMetadata' | 'imdsEndpoint' | 'imdsTimeoutMs'
  >,
  deps: IdentityDeps = {},
): Promise<InstanceIdentity> {
  const identity: InstanceIdentity = { instanceId: config.instanceId, fileHosts: [] };
  if (config.allowedHostsFile) {
    const read = deps.readFile ?? ((file: string) => readFile(file, 'utf8'));
    let text: string;
    try {
      text = await read(config.allowedHostsFile);
    } catch (error) {
      throw new InstanceIdentityError(
        `cannot read ALLOWED_HOSTS_FILE ${config.allowedHostsFile}`,
        'ALLOWED_HOSTS_FILE',
        { cause: error },
      );
    }
    identity.fileHosts = parseHostsFile(text);
  }
  if (config.instanceMetadata === 'imds') {
    const imds = await readImds(config.imdsEndpoint, config.imdsTimeoutMs, deps.fetch ?? fetch);
    identity.privateIp = imds.privateIp;
    identity.instanceId = imds.instanceId;
  }
  return identity;
}

/** One host per line or comma-separated; `#` starts a comment. */
export function parseHostsFile(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, ''))
    .flatMap((line) => line.split(/[\s,]+/))
    .map((host) => host.trim())
    .filter((host) => host !== '');
}

async function readImds(
  endpoint: string,
  timeoutMs: number,
  fetchFn: typeof fetch,
): Promise<{ privateIp: string; instanceId: string }> {
  const base = endpoint.replace(/\/+$/, '');
  const call = async (method: 'PUT' | 'GET', path: string, headers: Record<string, string>) => {
    let res: Response;
    try {
      res = await fetchFn(`${base}${path}`, { method, headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new InstanceIdentityError(`IMDS ${method} ${path} failed`, 'imds', { cause: error });
    }
    const text = (await res.text()).trim();
    if (!res.ok || text === '') {
      throw new InstanceIdentityError(`IMDS ${method} ${path} answered ${res.status}`, 'imds');
    }
    return text;
  };
  const token = await call('PUT', '/latest/api/token', {
    'x-aws-ec2-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS,
  });
  const auth = { 'x-aws-ec2-metadata-token': token };
  const [privateIp, instanceId] = await Promise.all([
    call('GET', '/latest/meta-data/local-ipv4', auth),
    call('GET', '/latest/meta-data/instance-id', auth),
  ]);
  return { privateIp, instanceId };
}
