import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../app/config';
import { envKeyFor } from '../../../app/ssm-config';
import { DEFAULT_APP_OUT_DIR } from '../../../scripts/bundle';
import { FLEET_SETTINGS } from '../../../shared/fleet/settings';
import { DEFAULT_POLICY } from '../../../shared/gate/policy';
import { run as runCli, waitFor } from '../app/spawn';
import { loadTemplate, onlyResource, subReferences } from './cfn';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');
const fleet = loadTemplate('fleet.yml');

const [, launchTemplate] = onlyResource(fleet, 'AWS::EC2::LaunchTemplate');
const userData = (launchTemplate.Properties.LaunchTemplateData as { UserData: unknown }).UserData as {
  'Fn::Base64': { 'Fn::Sub': [string, Record<string, unknown>] };
};
const [script, subVariables] = userData['Fn::Base64']['Fn::Sub'];

const PREFIX = '/healthgate-app/prod';
const VALUES: Record<string, string> = {
  'AWS::Region': 'eu-west-1',
  AppVersion: '1.4.2',
  ReleaseId: 'r-2026-11-24',
  SsmPrefix: PREFIX,
  AppPort: String(subVariables.AppPort),
};

/** The user-data as an instance receives it, for the values above. */
function render(text: string): string {
  return text.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => {
    const value = VALUES[name];
    if (value === undefined) throw new Error(`no test value for \${${name}}`);
    return value;
  });
}

const rendered = render(script);

/** Paths the script writes to, pointed into a sandbox (each must be a `readonly NAME=/…` line). */
const SANDBOXED = [
  'APP_DIR',
  'ETC_DIR',
  'LOG_DIR',
  'DATA_DIR',
  'LIB_DIR',
  'UNIT_DIR',
  'LOGROTATE_DIR',
  'BOOT_LOG',
];

function sandboxed(text: string, dir: string): string {
  let out = text;
  for (const name of SANDBOXED) {
    const line = new RegExp(`^readonly ${name}=/\\S+$`, 'm');
    if (!line.test(out)) throw new Error(`user-data has no line 'readonly ${name}=/…'`);
    out = out.replace(line, `readonly ${name}=${dir}/${name.toLowerCase()}`);
  }
  return out;
}

/** Stand-ins for what touches the machine or the network; each appends its command line to calls.log. */
const STUBS: Record<string, string> = {
  curl: `case "$*" in
  *api/token*) echo tok-1 ;;
  *meta-data/local-ipv4*) echo 10.0.12.34 ;;
  *meta-data/instance-id*) echo i-0123456789abcdef0 ;;
  *) exit 22 ;;
esac`,
  aws: `[ -n "\${AWS_FAIL:-}" ] && { echo 'AccessDenied' >&2; exit 254; }
cat "$SANDBOX/parameters.json"`,
  systemctl: `[ -n "\${MIGRATE_FAIL:-}" ] && [ "$*" = "start healthgate-migrate.service" ] && exit 1
exit 0`,
  id: 'exit 0',
  useradd: 'exit 0',
  chgrp: 'exit 0',
  install: `dirs=(); while [ $# -gt 0 ]; do case "$1" in -m|-o|-g) shift 2 ;; -*) shift ;; *) dirs+=("$1"); shift ;; esac; done
mkdir -p "\${dirs[@]}"`,
};

const PARAMETERS = [
  { Name: `${PREFIX}/secret-key`, Value: 's3cr"et $HOME `x` \\n' },
  { Name: `${PREFIX}/database-url`, Value: 'postgresql://app:pw@db.internal:5432/app' },
  { Name: `${PREFIX}/health-token`, Value: 'tok-health' },
  { Name: `${PREFIX}/allowed.hosts`, Value: 'www.example.com,.example.com' },
  { Name: `${PREFIX}/db/timeout-ms`, Value: '1500' },
  { Name: `${PREFIX}/port`, Value: '9999' },
];

interface Boot {
  code: number;
  calls: string[];
  output: string;
  dir: string;
}

let sandboxRoot: string;

async function boot(
  env: Record<string, string> = {},
  parameters = PARAMETERS,
  bundles = ['serve.mjs', 'migrate.mjs'],
): Promise<Boot> {
  const dir = await mkdtemp(join(sandboxRoot, 'boot-'));
  const bin = join(dir, 'bin');
  await mkdir(bin);
  // Directories an instance already has.
  for (const existing of ['unit_dir', 'logrotate_dir', 'app_dir']) await mkdir(join(dir, existing));
  // The image's bundles (`npm run build`), unless the test leaves them out.
  await mkdir(join(dir, 'app_dir/dist/app'), { recursive: true });
  for (const bundle of bundles) await writeFile(join(dir, 'app_dir/dist/app', bundle), '');
  for (const [name, body] of Object.entries(STUBS)) {
    await writeFile(join(bin, name), `#!/bin/bash\necho "${name} $*" >> "$SANDBOX/calls.log"\n${body}\n`);
    await chmod(join(bin, name), 0o755);
  }
  await writeFile(join(dir, 'parameters.json'), JSON.stringify({ Parameters: parameters }));
  await writeFile(join(dir, 'user-data.sh'), sandboxed(rendered, dir));
  let code = 0;
  let output = '';
  try {
    const result = await run('bash', [join(dir, 'user-data.sh')], {
      env: { PATH: `${bin}:${process.env.PATH}`, SANDBOX: dir, HOME: dir, ...env },
    });
    output = result.stdout + result.stderr;
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    code = e.code;
    output = e.stdout + e.stderr;
  }
  const calls = (await readFile(join(dir, 'calls.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { code, calls, output, dir };
}

/** The environment the app's units get: the env file read by a shell, as systemd reads these lines. */
async function envOf(file: string): Promise<Record<string, string>> {
  const { stdout } = await run(
    'bash',
    ['-c', `set -a; . "$1"; node -e 'process.stdout.write(JSON.stringify(process.env))'`, 'env', file],
    {
      env: { PATH: process.env.PATH },
    },
  );
  const env = JSON.parse(stdout) as Record<string, string>;
  delete env.PATH;
  return env;
}

beforeAll(async () => {
  sandboxRoot = await mkdtemp(join(tmpdir(), 'healthgate-user-data-'));
});

afterAll(async () => {
  if (sandboxRoot) await rm(sandboxRoot, { recursive: true, force: true });
});

describe('the launch template user-data', () => {
  it('names only parameters the template passes in', () => {
    const known = new Set([...Object.keys(fleet.Parameters), ...Object.keys(subVariables), 'AWS::Region']);
    for (const name of subReferences(script)) expect(known.has(name), name).toBe(true);
  });

  it('marks its steps in order: allowed hosts (IP file), SSM config, migrations, systemd start', () => {
    const steps = [...script.matchAll(/^# healthgate-step: (\S+)$/gm)].map((m) => m[1]);
    expect(steps).toEqual(['allowed-hosts', 'ssm-config', 'migrations', 'systemd-start']);
  });

  it("fits EC2's 16 KB user-data limit", () => {
    expect(Buffer.byteLength(rendered)).toBeLessThan(16 * 1024);
  });

  it('is valid bash that stops on the first failure', async () => {
    await run('bash', ['-n', '-c', rendered]);
    expect(rendered.startsWith('#!/bin/bash\n')).toBe(true);
    expect(rendered).toMatch(/^set -Eeuo pipefail$/m);
  });

  it('runs the steps in order: IMDSv2 → SSM → migrate → start the app under systemd', async () => {
    const result = await boot();
    expect(result.code, result.output).toBe(0);
    const order = [
      'curl -sS --fail --max-time 5 -X PUT http://169.254.169.254/latest/api/token',
      'curl -sS --fail --max-time 5 -H X-aws-ec2-metadata-token: tok-1 http://169.254.169.254/latest/meta-data/local-ipv4',
      `aws ssm get-parameters-by-path --region eu-west-1 --path ${PREFIX} --recursive --with-decryption --output json`,
      'systemctl daemon-reload',
      'systemctl start healthgate-migrate.service',
      'systemctl enable --now healthgate.service',
    ];
    const positions = order.map((call) => result.calls.findIndex((c) => c.startsWith(call)));
    expect(
      positions.every((p) => p >= 0),
      result.calls.join('\n'),
    ).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(result.output).toContain(`healthgate-boot: started 1.4.2 on i-0123456789abcdef0 (10.0.12.34)`);
    const hosts = await readFile(join(result.dir, 'etc_dir/allowed-hosts'), 'utf8');
    expect(hosts).toBe('10.0.12.34\n');
    // The boot log keeps the run for later reading.
    expect(await readFile(join(result.dir, 'boot_log'), 'utf8')).toContain(
      'healthgate-boot: step systemd-start',
    );
  });

  it("writes an environment the app's loadConfig accepts, with SSM values and the template's own keys", async () => {
    const result = await boot();
    expect(result.code, result.output).toBe(0);
    const env = await envOf(join(result.dir, 'etc_dir/app.env'));
    for (const { Name, Value } of PARAMETERS.filter((p) => !p.Name.endsWith('/port'))) {
      expect(env[envKeyFor(PREFIX, Name)], Name).toBe(Value);
    }
    const config = loadConfig(env);
    expect(config).toMatchObject({
      mode: 'production',
      localDefaults: false,
      secretKey: PARAMETERS[0]!.Value,
      databaseUrl: 'postgresql://app:pw@db.internal:5432/app',
      healthToken: 'tok-health',
      allowedHosts: ['www.example.com', '.example.com'],
      dbTimeoutMs: 1500,
      host: '0.0.0.0',
      // The template's PORT wins over a stored one: the LB and the security groups fix the port.
      port: FLEET_SETTINGS.appPort,
      version: '1.4.2',
      releaseId: 'r-2026-11-24',
      instanceId: 'i-0123456789abcdef0',
      instanceMetadata: 'imds',
      allowedHostsFile: join(result.dir, 'etc_dir/allowed-hosts'),
      migrateOnBoot: false,
    });
    // A configuration error at boot is reported on /health rather than by an exit (see the test below).
    expect(env.BOOT_FAILURE_REPORT).toBe('serve');
    // Health requests are logged apart from the main log.
    expect(config.accessLogFile).toBe(join(result.dir, 'log_dir/app.log'));
    expect(config.healthLogFile).toBe(join(result.dir, 'log_dir/health.log'));
  });

  it('a key missing from SSM: the app refuses to boot but answers /health 503 naming it, non-transient', async () => {
    const result = await boot(
      {},
      PARAMETERS.filter((p) => !p.Name.endsWith('/secret-key')),
    );
    expect(result.code, result.output).toBe(0);
    const env = await envOf(join(result.dir, 'etc_dir/app.env'));
    expect(env.SECRET_KEY).toBeUndefined();
    // The unit's environment, bound to loopback and with IMDS off: a test never asks 169.254.169.254.
    const proc = runCli(
      'app/cli/serve.ts',
      [],
      { ...env, HOST: '127.0.0.1', PORT: '0', INSTANCE_METADATA: 'none' },
      result.dir,
    );
    try {
      const url = await waitFor(
        () => /(http:\/\/127\.0\.0\.1:\d+)\/health answers 503/.exec(proc.err())?.[1],
        `the boot-failure report (stderr: ${proc.err()})`,
      );
      expect(proc.err()).toContain('missing required configuration: SECRET_KEY');
      const res = await fetch(`${url}/health`, { headers: { 'x-health-token': 'tok-health' } });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        status: 'fail',
        instanceId: 'i-0123456789abcdef0',
        version: '1.4.2',
        releaseId: 'r-2026-11-24',
        checks: {
          'configuration:keys': [
            expect.objectContaining({
              status: 'fail',
              transient: false,
              output: expect.stringContaining('SECRET_KEY'),
            }),
          ],
        },
      });
      proc.child.kill('SIGTERM');
      expect(await proc.exited).not.toBe(0);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  });

  it('maps parameter names as the app does (envKeyFor)', async () => {
    const names = ['a', 'db/secret-key', 'x.y/z-w', 'deep/er/key.name', 'UPPER/lower'];
    const result = await boot(
      {},
      names.map((n, i) => ({ Name: `${PREFIX}/${n}`, Value: String(i) })),
    );
    expect(result.code, result.output).toBe(0);
    const env = await envOf(join(result.dir, 'etc_dir/app.env'));
    for (const [i, n] of names.entries()) {
      expect(env[envKeyFor(PREFIX, `${PREFIX}/${n}`)], n).toBe(String(i));
    }
  });

  it('does not start the app when the configuration cannot be read', async () => {
    const result = await boot({ AWS_FAIL: '1' });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('step ssm-config failed');
    expect(result.calls.some((c) => c.startsWith('systemctl'))).toBe(false);
  });

  it('does not start the app with no configuration under the prefix', async () => {
    const result = await boot({}, []);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`no configuration under ${PREFIX}/`);
    expect(result.calls.some((c) => c.startsWith('systemctl'))).toBe(false);
  });

  it('starts the app after failed migrations, so /health reports them and the gate abandons at once', async () => {
    const result = await boot({ MIGRATE_FAIL: '1' });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('migrations failed');
    expect(result.calls).toContain('systemctl enable --now healthgate.service');
  });

  it('does not start the app on an image without the built bundles', async () => {
    const result = await boot({}, PARAMETERS, ['migrate.mjs']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`no ${result.dir}/app_dir/dist/app/serve.mjs; the image was not built`);
    expect(result.calls.some((c) => c.startsWith('systemctl') || c.startsWith('aws'))).toBe(false);
  });

  it("writes units that run the app's built bundles with node, restart on failure and bound the migrations", async () => {
    const result = await boot();
    const app = await readFile(join(result.dir, 'unit_dir/healthgate.service'), 'utf8');
    const migrate = await readFile(join(result.dir, 'unit_dir/healthgate-migrate.service'), 'utf8');
    const scripts = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).scripts as Record<
      string,
      string
    >;
    // The units run what `npm run build` writes (dist/app under the checkout), not TypeScript through tsx.
    expect(relative(root, DEFAULT_APP_OUT_DIR)).toBe('dist/app');
    expect(scripts.build).toBe('tsx scripts/build-app.ts');
    const bundle = (name: string) => join(result.dir, 'app_dir', relative(root, DEFAULT_APP_OUT_DIR), name);
    expect(app).toMatch(
      new RegExp(`^ExecStart=/usr/bin/node --enable-source-maps ${bundle('serve.mjs')}$`, 'm'),
    );
    expect(migrate).toMatch(
      new RegExp(`^ExecStart=/usr/bin/node --enable-source-maps ${bundle('migrate.mjs')}$`, 'm'),
    );
    expect(`${app}${migrate}`).not.toMatch(/npm|tsx/);
    expect(app).toMatch(/^Restart=on-failure$/m);
    expect(app).toMatch(/^User=healthgate$/m);
    expect(app).toMatch(/^After=.*healthgate-migrate\.service/m);
    expect(app).toMatch(new RegExp(`^EnvironmentFile=${result.dir}/etc_dir/app.env$`, 'm'));
    expect(migrate).toMatch(new RegExp(`^EnvironmentFile=${result.dir}/etc_dir/app.env$`, 'm'));
    // A hung migration ends before the gate's deadline, so /health can still report it.
    const timeout = Number(/^TimeoutStartSec=(\d+)$/m.exec(migrate)?.[1]);
    expect(timeout).toBeGreaterThan(0);
    expect(timeout).toBeLessThan(DEFAULT_POLICY.deadlineSeconds);
    const rotate = await readFile(join(result.dir, 'logrotate_dir/healthgate'), 'utf8');
    expect(rotate).toContain(`${result.dir}/log_dir/health.log`);
  });
});
