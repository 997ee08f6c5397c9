/**
 * The functions as Lambda runs them: `osls package` builds the zips, and the bundles inside (not the sources)
 * gate real app processes behind the sim and judge their group, one module instance per container.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtractedBundle, extractBundle, packageFunctions } from '../../scripts/function-bundles';
import type { LambdaHandler } from '../../sim/lambda/functions';
import type { LocalStack } from '../../sim/local-stack';
import {
  BOOT_TOLERANT_DEADLINE_SECONDS,
  launchGroup,
  retire,
  startGateStack,
  stepsScheduledOf,
  waitForDecision as waitForDecisionOn,
} from './gate-harness';

/** Loads a bundle (the query string makes a module instance of its own, as a new container would). */
const importBundle = (url: string) => import(/* @vite-ignore */ url) as Promise<{ handler: LambdaHandler }>;

/** The calls a gated launch makes, one per client the bundle carries (and both load balancer kinds). */
const GATE_CALLS = [
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:CompleteLifecycleAction',
  'ec2:DescribeInstances',
  'ssm:GetParameters',
  'elb:DescribeInstanceHealth',
  'elbv2:DescribeTargetHealth',
  'sqs:SendMessage',
];

const WAIT_MS = (BOOT_TOLERANT_DEADLINE_SECONDS + 15) * 1000;
let outDir: string;
let bundles: Record<'launchGate' | 'rollbackCheck', ExtractedBundle>;
let stack: LocalStack;
const launched: Record<string, { instanceId: string }> = {};

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'healthgate-packaged-'));
  await packageFunctions(outDir);
  const dir = join(outDir, 'unzipped');
  bundles = {
    launchGate: await extractBundle(outDir, 'launchGate', dir),
    rollbackCheck: await extractBundle(outDir, 'rollbackCheck', dir),
  };
  const gateUrl = pathToFileURL(bundles.launchGate.bundle).href;
  const started = await startGateStack({
    seed: 31,
    loadGate: (container) => importBundle(`${gateUrl}?container=${container}`),
  });
  stack = started.stack;
  const policy = { deadlineSeconds: BOOT_TOLERANT_DEADLINE_SECONDS };
  launched.healthy = launchGroup(stack, 'healthy', { imageId: 'ami-v1', targetGroup: true, policy });
  launched.migration = launchGroup(stack, 'migration', {
    imageId: 'ami-v3',
    policy,
    env: { SQLITE_PATH: started.sharedDb, MIGRATE_ON_BOOT: '0' },
  });
}, 240_000);

afterAll(async () => {
  const fleet = stack?.fleet;
  await stack?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
  expect(fleet?.livePids() ?? []).toEqual([]);
}, 60_000);

const waitForDecision = (group: string) =>
  waitForDecisionOn(stack, launched[group]!.instanceId, WAIT_MS, group);

describe('the packaged bundles against the sim', () => {
  it(
    'the launch gate bundle continues a healthy instance (the load balancer agreeing) in steps off its queue',
    async () => {
      const { instanceId } = launched.healthy!;
      const decision = await waitForDecision('healthy');
      expect(decision).toMatchObject({
        action: 'CONTINUE',
        reason: 'HEALTHY_THRESHOLD_MET',
        lb: { verdict: 'healthy' },
      });
      expect(stack.sim.model.autoscaling.instances.get(instanceId)?.lifecycleState).toBe('InService');
      expect(stepsScheduledOf(stack, instanceId).length).toBeGreaterThan(0);
      // Each client the bundle carries spoke the wire protocol both ways: a request the sim understood, an answer
      // the client read (the gate acted on it).
      const answered = new Set(
        stack.sim.requests
          .entries()
          .filter((e) => e.result === 'ok')
          .map((e) => `${e.service}:${e.action}`),
      );
      expect([...answered]).toEqual(expect.arrayContaining(GATE_CALLS));
    },
    WAIT_MS + 15_000,
  );

  it(
    'the launch gate bundle abandons an instance whose migration was not applied',
    async () => {
      const decision = await waitForDecision('migration');
      retire(stack, 'migration');
      expect(decision).toMatchObject({ action: 'ABANDON', reason: 'NON_TRANSIENT_FAILURE' });
      expect(decision.detail).toMatch(/migrations:pending/);
    },
    WAIT_MS + 15_000,
  );

  it('the rollback check bundle judges the continued group: proceed, its instance probed healthy', async () => {
    await waitForDecision('healthy');
    const { handler } = await importBundle(pathToFileURL(bundles.rollbackCheck.bundle).href);
    const context = { getRemainingTimeInMillis: () => 20_000, functionName: 'rollbackCheck' } as Context;
    const report = (await handler({ autoScalingGroupName: 'healthy' }, context)) as {
      verdict: string;
      instances: { instanceId: string }[];
      versions: Record<string, number>;
    };
    expect(report.verdict).toBe('proceed');
    expect(report.instances.map((i) => i.instanceId)).toEqual([launched.healthy!.instanceId]);
    expect(report.versions).toEqual({ healthy: 1 });
  }, 60_000);
});
