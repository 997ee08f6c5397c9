/**
 * The process fleet end to end: an instance the model launches is a real app process on its own 127.0.1.N
 * address, configured from the sim's SSM parameters and UserData; the sim's LB health checker probes it over
 * HTTP; terminating it stops the process.
 */

import { get } from 'node:http';
import {
  DescribeInstanceHealthCommand,
  ElasticLoadBalancingClient,
} from '@aws-sdk/client-elastic-load-balancing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUserData } from '../../../sim/fleet/user-data';
import { type LocalStack, startLocalStack } from '../../../sim/local-stack';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    timeScale: 0.1,
    seed: 11,
    fleet: { images: [{ imageId: 'ami-v1' }], killGraceMs: 1000 },
    appConfig: { 'secret-key': 'sim-secret-key' },
  });
});

afterAll(async () => {
  const fleet = stack?.fleet;
  await stack?.close();
  expect(fleet?.livePids() ?? []).toEqual([]);
});

/** fetch cannot set Host: a plain request can. HTTPS as the LB terminates it, so no redirect. */
const statusWithHost = (ip: string, port: number, host: string) =>
  new Promise<number | undefined>((resolve, reject) => {
    get({ host: ip, port, path: '/', headers: { host, 'x-forwarded-proto': 'https' } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });

const userData = (env: Record<string, string>) => Buffer.from(formatUserData(env)).toString('base64');

describe('process fleet', () => {
  it('runs a launched instance as an app process on its private IP, LB-checked over HTTP, stopped on terminate', async () => {
    const { model } = stack.sim;
    const port = stack.fleetPort!;
    model.launchTemplates.create('web-lt', {
      ImageId: 'ami-v1',
      UserData: userData({ APP_VERSION: 'v1', RELEASE_ID: 'r1' }),
    });
    model.loadBalancers.createClassic({
      name: 'web-elb',
      listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: port }],
    });
    model.loadBalancers.configureHealthCheck('web-elb', {
      Target: `HTTP:${port}/health`,
      Interval: 5,
      Timeout: 3,
      HealthyThreshold: 2,
      UnhealthyThreshold: 2,
    });
    model.autoscaling.createGroup({
      name: 'web',
      minSize: 0,
      maxSize: 2,
      desiredCapacity: 1,
      launchTemplate: { name: 'web-lt', version: '$Latest' },
      loadBalancerNames: ['web-elb'],
    });
    const instance = model.autoscaling.groupInstances('web')[0]!;
    expect(instance.privateIp).toMatch(/^127\.0\.1\.\d+$/);

    const healthy = await stack.waitFor(
      () =>
        stack.timeline
          .of('lb-health', instance.instanceId)
          .find((e) => e.target === 'elb/web-elb' && e.state === 'healthy'),
      20_000,
      'the LB to judge the instance healthy',
    );
    const started = stack.timeline.of('process-started', instance.instanceId)[0]!;
    const ready = stack.timeline.of('process-ready', instance.instanceId)[0]!;
    expect(started).toMatchObject({ privateIp: instance.privateIp, imageId: 'ami-v1' });
    expect(started.time).toBeLessThanOrEqual(ready.time);
    expect(ready.time).toBeLessThanOrEqual(healthy.time);

    const elb = new ElasticLoadBalancingClient({ endpoint: stack.endpoint, region: 'us-east-1' });
    const health = await elb.send(new DescribeInstanceHealthCommand({ LoadBalancerName: 'web-elb' }));
    expect(health.InstanceStates).toEqual([
      expect.objectContaining({ InstanceId: instance.instanceId, State: 'InService' }),
    ]);

    // The app serves on its own address with its identity from the fake IMDS and its token from SSM.
    const url = `http://${instance.privateIp}:${port}/health`;
    const detailed = await fetch(url, { headers: { 'x-health-token': stack.healthToken } });
    expect(detailed.status).toBe(200);
    const body = (await detailed.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'pass',
      instanceId: instance.instanceId,
      version: 'v1',
      releaseId: 'r1',
    });
    expect(Object.keys(body.checks as object)).toContain('migrations:pending');
    const anonymous = (await (await fetch(url)).json()) as Record<string, unknown>;
    expect(anonymous.checks).toBeUndefined();
    expect(await statusWithHost(instance.privateIp, port, 'evil.example')).toBe(400);
    expect(await statusWithHost(instance.privateIp, port, `${instance.privateIp}:${port}`)).toBe(200);

    const pid = stack.fleet!.processes.get(instance.instanceId)!.pid!;
    expect(stack.fleet!.livePids()).toContain(pid);
    model.autoscaling.setDesiredCapacity('web', 0);
    await stack.waitFor(
      () => stack.timeline.of('process-exited', instance.instanceId)[0],
      10_000,
      'the process to exit',
    );
    await model.settle();
    expect(model.autoscaling.instances.get(instance.instanceId)?.lifecycleState).toBe('Terminated');
    expect(stack.fleet!.livePids()).not.toContain(pid);
    await expect(fetch(url, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
  });

  it('an instance without SECRET_KEY never serves the app: it reports the missing key on /health (the fleet opts in)', async () => {
    const { model } = stack.sim;
    const port = stack.fleetPort!;
    model.launchTemplates.create('nokey-lt', {
      ImageId: 'ami-v1',
      // Its own configuration path: the shared one carries SECRET_KEY.
      UserData: userData({ HEALTHGATE_SSM_CONFIG_PATH: '/healthgate/app-without-key', APP_VERSION: 'v9' }),
    });
    model.parameters.put({ name: '/healthgate/app-without-key/health-token', value: stack.healthToken });
    model.autoscaling.createGroup({
      name: 'nokey',
      minSize: 0,
      maxSize: 1,
      desiredCapacity: 1,
      launchTemplate: { name: 'nokey-lt' },
    });
    const instance = model.autoscaling.groupInstances('nokey')[0]!;
    const answering = await stack.waitFor(
      () => stack.timeline.of('process-answering', instance.instanceId)[0],
      15_000,
      'the boot-failure report to answer',
    );
    expect(answering).toMatchObject({ privateIp: instance.privateIp, status: 503 });
    const url = `http://${instance.privateIp}:${port}`;
    const detailed = await fetch(`${url}/health`, { headers: { 'x-health-token': stack.healthToken } });
    expect(detailed.status).toBe(503);
    expect(await detailed.json()).toMatchObject({
      status: 'fail',
      instanceId: instance.instanceId,
      version: 'v9',
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
    expect((await fetch(`${url}/health/live`)).status).toBe(503);
    expect(stack.timeline.of('process-ready', instance.instanceId)).toEqual([]);
    model.autoscaling.setDesiredCapacity('nokey', 0);
    const exited = await stack.waitFor(
      () => stack.timeline.of('process-exited', instance.instanceId)[0],
      10_000,
      'the report to stop on terminate',
    );
    expect(exited.code).not.toBe(0);
    expect(exited.lastLine).toMatch(/SECRET_KEY/);
    await model.settle();
  });

  it('UserData can opt out (BOOT_FAILURE_REPORT=exit): the app then exits at once, naming the key', async () => {
    const { model } = stack.sim;
    model.launchTemplates.create('nokey-exit-lt', {
      ImageId: 'ami-v1',
      UserData: userData({
        HEALTHGATE_SSM_CONFIG_PATH: '/healthgate/app-without-key-exit',
        BOOT_FAILURE_REPORT: 'exit',
      }),
    });
    model.parameters.put({ name: '/healthgate/app-without-key-exit/health-token', value: stack.healthToken });
    model.autoscaling.createGroup({
      name: 'nokey-exit',
      minSize: 0,
      maxSize: 1,
      desiredCapacity: 1,
      launchTemplate: { name: 'nokey-exit-lt' },
    });
    const instance = model.autoscaling.groupInstances('nokey-exit')[0]!;
    const exited = await stack.waitFor(
      () => stack.timeline.of('process-exited', instance.instanceId)[0],
      15_000,
      'the misconfigured process to exit',
    );
    expect(exited.code).not.toBe(0);
    expect(exited.lastLine).toMatch(/SECRET_KEY/);
    expect(stack.timeline.of('process-ready', instance.instanceId)).toEqual([]);
    expect(stack.timeline.of('process-answering', instance.instanceId)).toEqual([]);
    model.autoscaling.setDesiredCapacity('nokey-exit', 0);
    await model.settle();
  });
});
