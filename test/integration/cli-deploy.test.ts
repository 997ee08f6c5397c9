/**
 * `healthgate deploy` as a process against the sim (`healthgate sim --demo`, another process): a good version
 * goes live and the serving group is retired; a bad one is stopped, removed with what it made, and the serving
 * group is untouched; a second deploy while one runs is refused; an unknown group or launch template version is
 * refused with nothing made; a rolling deploy refreshes the serving group in place.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AutoScalingClient,
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioReport } from '../../sim/report';
import { type CliServer, runHealthgate, startHealthgate } from '../support/healthgate-cli';

let sim: CliServer;
let env: Record<string, string>;
let dir: string;
let autoscaling: AutoScalingClient;
let ec2: EC2Client;
let ssm: SSMClient;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'healthgate-deploy-'));
  sim = await startHealthgate(['sim', '--demo', '--port', '0', '--json']);
  env = sim.ready.env as Record<string, string>;
  const client = { endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION };
  autoscaling = new AutoScalingClient(client);
  ec2 = new EC2Client(client);
  ssm = new SSMClient(client);
}, 120_000);

afterAll(async () => {
  const code = await sim?.stop();
  expect(code).toBe(0);
  for (const c of [autoscaling, ec2, ssm]) c?.destroy();
  await rm(dir, { recursive: true, force: true });
});

const groups = async (): Promise<AutoScalingGroup[]> =>
  (await autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
const inService = (group: AutoScalingGroup | undefined) =>
  (group?.Instances ?? [])
    .filter((i) => i.LifecycleState === 'InService')
    .map((i) => i.InstanceId)
    .sort();
const templateVersions = async () =>
  (
    (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'healthgate-web' })))
      .LaunchTemplateVersions ?? []
  ).map((v) => v.VersionNumber);
const parameters = async () =>
  (
    (await ssm.send(new GetParametersByPathCommand({ Path: '/healthgate', Recursive: true }))).Parameters ??
    []
  )
    .map((p) => p.Name)
    .filter((n) => n?.includes('/web-'))
    .sort();

const deploy = (args: string[]) =>
  runHealthgate(['deploy', '--poll-interval', '0.25', '--timeout', '90', '--report-dir', dir, ...args], {
    env,
    timeoutMs: 150_000,
  });

describe('healthgate deploy against the sim', () => {
  it('refuses an unknown group or launch template version with exit 2, making nothing', async () => {
    const before = {
      groups: (await groups()).map((g) => g.AutoScalingGroupName),
      versions: await templateVersions(),
    };
    const unknown = await deploy(['--group', 'nope', '--version', 'v2', '--ami', 'ami-healthgate-base']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no Auto Scaling group named nope; nothing was made');
    const missing = await deploy(['--group', 'web-v1', '--version', 'v2', '--template-version', '99']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/launch template lt-\w+ has no version 99; nothing was made/);
    const usage = await deploy(['--group', 'web-v1', '--version', 'v2']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('give exactly one of --ami AMI and --template-version N');
    expect((await groups()).map((g) => g.AutoScalingGroupName)).toEqual(before.groups);
    expect(await templateVersions()).toEqual(before.versions);
    expect(await parameters()).toEqual(['/healthgate/web-v1/policy']);
  }, 60_000);

  it('without AWS credentials says so, exit 3, making nothing', async () => {
    const run = await runHealthgate(
      ['deploy', '--group', 'web-v1', '--version', 'v2', '--ami', 'ami-healthgate-base'],
      {
        env: { ...env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', HOME: dir },
        timeoutMs: 60_000,
      },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /no AWS credentials on autoscaling:DescribeAutoScalingGroups: set AWS_PROFILE.*; nothing was made/,
    );
    expect((await groups()).map((g) => g.AutoScalingGroupName)).toEqual(['web-v1']);
  }, 60_000);

  it('deploys a good version: the new group goes live modelled on the serving one, which is retired', async () => {
    const [serving] = await groups();
    const run = await deploy([
      '--group',
      'web-v1',
      '--version',
      'v2',
      '--ami',
      'ami-healthgate-base',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ScenarioReport;
    expect(report.deploys[0]).toMatchObject({
      outcome: 'deployed',
      group: 'web-v2',
      previousGroup: 'web-v1',
      verdict: 'proceed',
    });
    const now = await groups();
    expect(now.map((g) => g.AutoScalingGroupName)).toEqual(['web-v2']);
    const created = now[0]!;
    expect(inService(created)).toHaveLength(3);
    expect(created.LoadBalancerNames).toEqual(serving!.LoadBalancerNames);
    expect(created.AvailabilityZones).toEqual(serving!.AvailabilityZones);
    const tags = Object.fromEntries((created.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({ 'healthgate:version': 'v2', 'healthgate:baseline-group': 'web-v1' });
    expect(tags['healthgate:deploy-id']).toMatch(/^[0-9a-f-]{36}$/);
    // The lock is released; the new group has its policy.
    expect(await parameters()).toEqual(['/healthgate/web-v1/policy', '/healthgate/web-v2/policy']);
  }, 150_000);

  it('stops a bad version, removes what it made, never touches the serving group; a second deploy meanwhile is refused', async () => {
    const before = inService((await groups()).find((g) => g.AutoScalingGroupName === 'web-v2'));
    const versions = await templateVersions();
    const bad = deploy([
      '--group',
      'web-v2',
      '--version',
      'v3',
      '--ami',
      'ami-healthgate-0003_add_meter_reads',
    ]);
    // The second deploy starts as soon as the first holds the serving group's lock (a fixed wait raced a first
    // deploy that had already finished on a fast machine).
    const lock = '/healthgate/web-v2/deploy-lock';
    for (const until = Date.now() + 60_000; !(await parameters()).includes(lock); ) {
      if (Date.now() > until) throw new Error(`the first deploy never took ${lock}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const second = await deploy(['--group', 'web-v2', '--version', 'v4', '--ami', 'ami-healthgate-base']);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(
      /refused: another deploy holds \/healthgate\/web-v2\/deploy-lock: .* \(making web-v3\)/,
    );
    const run = await bad;
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('deploy rolled-back (CIRCUIT_BREAKER)');
    expect(run.stdout).toContain('removed what the failed deploy made: launch template version');
    const now = await groups();
    expect(now.map((g) => g.AutoScalingGroupName)).toEqual(['web-v2']);
    expect(inService(now[0])).toEqual(before);
    expect(await templateVersions()).toEqual(versions);
    expect(await parameters()).toEqual(['/healthgate/web-v1/policy', '/healthgate/web-v2/policy']);
  }, 150_000);

  it('rolls a version into the serving group with --strategy rolling: same group, new version, capacity kept', async () => {
    // Whichever group serves now (the tests above leave one): rolled in place, it keeps its name.
    const [before] = await groups();
    const serving = before!.AutoScalingGroupName!;
    const refused = await deploy([
      '--group',
      serving,
      '--version',
      'v5',
      '--ami',
      'ami-healthgate-base',
      '--strategy',
      'rolling',
      '--capacity',
      '2',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `--capacity is for a new group: a rolling deploy keeps ${serving}'s name and capacity`,
    );
    const run = await deploy([
      '--group',
      serving,
      '--version',
      'v5',
      '--ami',
      'ami-healthgate-base',
      '--strategy',
      'rolling',
      '--warmup',
      '0',
      '--checkpoint-delay',
      '20',
      '--bake-time',
      '20',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ScenarioReport;
    expect(report.deploys[0]).toMatchObject({ outcome: 'deployed', strategy: 'rolling', group: serving });
    expect(report.refreshes?.[0]?.phases.at(-1)?.status).toBe('Successful');
    const now = await groups();
    expect(now.map((g) => g.AutoScalingGroupName)).toEqual([serving]);
    expect(inService(now[0])).toHaveLength(inService(before).length);
    expect(inService(now[0])).not.toEqual(expect.arrayContaining(inService(before)));
    expect(Number(now[0]!.LaunchTemplate?.Version)).toBeGreaterThan(Number(before!.LaunchTemplate?.Version));
  }, 150_000);
});
