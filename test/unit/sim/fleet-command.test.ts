/**
 * Command images: the user's own program (here a few lines of Python) as an instance, with the instance's
 * environment contract, its own IMDSv2, and the machine faults played on it from outside the process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CommandImage, createProcessFleet, type FleetEvent, formatUserData } from '../../../sim/fleet';
import { freePort } from '../../../sim/local-stack';
import type { FleetInstance } from '../../../sim/model/fleet';

/** Answers /health with the contract's variables; reads its identity from IMDSv2 as an EC2 app would. */
const PYTHON_APP = `
import json, os, urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
def imds(path):
    base = os.environ['AWS_EC2_METADATA_SERVICE_ENDPOINT']
    token = urllib.request.urlopen(urllib.request.Request(base + '/latest/api/token', method='PUT', headers={'X-aws-ec2-metadata-token-ttl-seconds': '60'})).read().decode()
    return urllib.request.urlopen(urllib.request.Request(base + path, headers={'X-aws-ec2-metadata-token': token})).read().decode()
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({'status': 'pass', 'env': {k: os.environ.get(k) for k in ('HOST', 'PORT', 'HEALTHGATE_INSTANCE_ID', 'APP_VERSION', 'SECRET_KEY')}, 'imds': imds('/latest/meta-data/instance-id')}).encode()
        self.send_response(200); self.send_header('content-type', 'application/json'); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass
HTTPServer((os.environ['HOST'], int(os.environ['PORT'])), H).serve_forever()
`;

const hasPython = (() => {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startFleet(command: string) {
  const runDir = mkdtempSync(path.join(tmpdir(), 'healthgate-fleet-'));
  writeFileSync(path.join(runDir, 'app.py'), PYTHON_APP);
  const port = await freePort();
  const events: FleetEvent[] = [];
  const image: CommandImage = { imageId: 'ami-cmd', command, cwd: runDir, readinessPath: '/health' };
  const fleet = createProcessFleet({
    images: new Map([[image.imageId, image]]),
    port,
    runDir,
    killGraceMs: 1000,
    onEvent: (e) => events.push(e),
  });
  cleanups.push(async () => {
    await fleet.close();
    rmSync(runDir, { recursive: true, force: true });
  });
  return { fleet, port, events };
}

const instance = (n: number, env: Record<string, string>): FleetInstance => ({
  instanceId: `i-0000000000000000${n}`,
  privateIp: `127.0.1.${200 + n}`,
  groupName: 'web',
  launchTemplateId: 'lt-1',
  launchTemplateName: 'web',
  launchTemplateVersion: 1,
  imageId: 'ami-cmd',
  instanceType: 't3.micro',
  userData: formatUserData(env),
  tags: {},
});

const until = async <T>(probe: () => T | undefined, ms = 10_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

// Debian ships python3; CI fails rather than skip without it, as the browser test does without Chromium.
describe.skipIf(!hasPython && !process.env.CI)('command images', () => {
  it('run the command with the environment contract and a working IMDSv2; terminate stops the whole group', async () => {
    const { fleet, port, events } = await startFleet('python3 app.py');
    const i = instance(1, { APP_VERSION: 'v7', SECRET_KEY: 's3cret' });
    await fleet.launch(i);
    await until(() => events.find((e) => e.kind === 'process-ready'));
    const body = (await (await fetch(`http://${i.privateIp}:${port}/health`)).json()) as Record<
      string,
      unknown
    >;
    expect(body).toEqual({
      status: 'pass',
      env: {
        HOST: i.privateIp,
        PORT: String(port),
        HEALTHGATE_INSTANCE_ID: i.instanceId,
        APP_VERSION: 'v7',
        SECRET_KEY: 's3cret',
      },
      imds: i.instanceId,
    });
    await fleet.terminate(i.instanceId);
    expect(fleet.livePids()).toEqual([]);
    await expect(fetch(`http://${i.privateIp}:${port}/health`)).rejects.toThrow();
  }, 20_000);

  it('a command that exits at boot is an instance that exited, not a failure of the fleet', async () => {
    const { fleet, events } = await startFleet('echo "config missing" >&2; exit 3');
    await fleet.launch(instance(2, {}));
    const exited = await until(() => events.find((e) => e.kind === 'process-exited'));
    expect(exited).toMatchObject({ code: 3, lastLine: 'config missing' });
  });

  it('terminating stops every process of the command, even one that ignores SIGTERM under a shell that died', async () => {
    // `; true` keeps the shell as the program's parent; SIGTERM kills the shell, not the program.
    const { fleet, events } = await startFleet(
      `python3 -c "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"; true`,
    );
    const i = instance(6, {});
    await fleet.launch(i);
    await until(() => (fleet.processes.get(i.instanceId)?.pid ? true : undefined));
    const pgid = fleet.processes.get(i.instanceId)!.pid!;
    await new Promise((r) => setTimeout(r, 500));
    await fleet.terminate(i.instanceId);
    // Killed: gone once init has reaped the orphan (it may take a moment).
    await until(() => {
      try {
        process.kill(-pgid, 0);
        return undefined;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code;
      }
    }, 5_000);
    expect(events.some((e) => e.kind === 'process-exited' && e.instanceId === i.instanceId)).toBe(true);
  });

  it('plays hang, kill and refused connections from outside the process', async () => {
    const { fleet, port, events } = await startFleet('python3 app.py');
    const hang = instance(3, { SIM_HANG_AFTER_MS: '1500' });
    const kill = instance(4, { SIM_KILL_AFTER_MS: '1500' });
    const refuse = instance(5, { SIM_REFUSE_CONNECTIONS: '1' });
    await Promise.all([fleet.launch(hang), fleet.launch(kill), fleet.launch(refuse)]);
    await until(() => events.find((e) => e.kind === 'process-ready' && e.instanceId === hang.instanceId));
    await until(() => events.find((e) => e.kind === 'machine-fault' && e.instanceId === hang.instanceId));
    await expect(
      fetch(`http://${hang.privateIp}:${port}/health`, { signal: AbortSignal.timeout(500) }),
    ).rejects.toThrow();
    await until(() => events.find((e) => e.kind === 'process-exited' && e.instanceId === kill.instanceId));
    await expect(fetch(`http://${refuse.privateIp}:${port}/health`)).rejects.toThrow(/fetch failed/);
    expect(events.some((e) => e.kind === 'process-ready' && e.instanceId === refuse.instanceId)).toBe(false);
    // A frozen group still stops: SIGCONT before SIGTERM.
    await fleet.close();
    expect(fleet.livePids()).toEqual([]);
  }, 20_000);
});
