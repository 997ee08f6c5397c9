import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../app/config';
import { InstanceIdentityError } from '../../../app/errors';
import { discoverIdentity } from '../../../app/instance-identity';
import { startFakeImds } from './fake-imds';
import { tempDir } from './helpers';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('discoverIdentity', () => {
  it('reads the private IP and instance id over IMDSv2 (token first) when configured to', async () => {
    const imds = await startFakeImds({ privateIp: '10.1.2.3', instanceId: 'i-0abc' });
    cleanups.push(imds.close);
    const config = loadConfig({
      SECRET_KEY: 'k',
      INSTANCE_METADATA: 'imds',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
    });
    expect(await discoverIdentity(config)).toEqual({
      privateIp: '10.1.2.3',
      instanceId: 'i-0abc',
      fileHosts: [],
    });
    expect(imds.seen[0]).toBe('PUT /latest/api/token');
    expect(imds.seen.slice(1).sort()).toEqual([
      'GET /latest/meta-data/instance-id',
      'GET /latest/meta-data/local-ipv4',
    ]);
  });

  it('never asks IMDS unless configured to', async () => {
    const fetchSpy = vi.fn<typeof fetch>();
    const identity = await discoverIdentity(loadConfig({ SECRET_KEY: 'k', INSTANCE_ID: 'i-fromconfig' }), {
      fetch: fetchSpy,
    });
    expect(identity).toEqual({ instanceId: 'i-fromconfig', fileHosts: [] });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('fails within its timeout when IMDS does not answer', async () => {
    const imds = await startFakeImds({ privateIp: 'x', instanceId: 'y' }, { hang: true });
    cleanups.push(imds.close);
    const config = loadConfig({
      SECRET_KEY: 'k',
      INSTANCE_METADATA: 'imds',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
      IMDS_TIMEOUT_MS: '200',
    });
    const error = await discoverIdentity(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstanceIdentityError);
    expect((error as Error).message).toContain('/latest/api/token');
  });

  it('reads hosts from ALLOWED_HOSTS_FILE, and fails closed when it is missing', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const file = path.join(dir, 'hosts');
    await writeFile(file, '10.9.8.7\n');
    const config = loadConfig({ SECRET_KEY: 'k', ALLOWED_HOSTS_FILE: file });
    expect((await discoverIdentity(config)).fileHosts).toEqual(['10.9.8.7']);
    const missing = loadConfig({ SECRET_KEY: 'k', ALLOWED_HOSTS_FILE: path.join(dir, 'nope') });
    await expect(discoverIdentity(missing)).rejects.toThrow(/ALLOWED_HOSTS_FILE/);
  });
});
