/**
 * Light instances: 200 launched by the model each answer on their own 127.0.1.N with their own instance id, as
 * the gate's own probe reads them, within a bounded time; the sim's LB health checker judges them like app
 * processes; each image's behaviour (boot delay, permanent and transient failures, hang, refusal) and UserData's
 * identity and machine faults play out as they would on a real instance.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { probe } from '../../../../shared/probe';
import { fleetByImage } from '../../../../sim/fleet/fleet-by-image';
import { LightHealth } from '../../../../sim/fleet/light-image';
import { formatUserData } from '../../../../sim/fleet/user-data';
import { type LocalStack, SIM_PROBE_CIDRS, startLocalStack } from '../../../../sim/local-stack';
import type { Fleet, FleetInstance } from '../../../../sim/model/fleet';

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const userData = (env: Record<string, string>) => Buffer.from(formatUserData(env)).toString('base64');

/** A group without hooks, so its instances go InService as soon as they launch. */
const group = (
  s: LocalStack,
  name: string,
  imageId: string,
  desired: number,
  env: Record<string, string> = {},
) => {
  s.sim.model.launchTemplates.create(`${name}-lt`, { ImageId: imageId, UserData: userData(env) });
  s.sim.model.autoscaling.createGroup({
    name,
    minSize: 0,
    maxSize: desired,
    desiredCapacity: desired,
    launchTemplate: { name: `${name}-lt` },
  });
  return () => s.sim.model.autoscaling.groupInstances(name);
};

/** The gate's own probe of an instance's deep health, with the token. */
const gateProbe = (s: LocalStack, address: string, expectedInstanceId?: string, timeoutMs = 2000) =>
  probe({
    address,
    port: s.fleetPort!,
    path: '/health',
    timeoutMs,
    allowedCidrs: SIM_PROBE_CIDRS,
    headers: { 'x-health-token': s.healthToken },
    ...(expectedInstanceId ? { expectedInstanceId } : {}),
  });

describe('light fleet', () => {
  it('200 instances, each answering on its own address with its own id, within a bounded time', async () => {
    const started = Date.now();
    stack = await startLocalStack({ seed: 41, fleet: { images: [{ imageId: 'ami-light', light: {} }] } });
    const instances = group(stack, 'big', 'ami-light', 200, { APP_VERSION: 'v7', RELEASE_ID: 'r7' });
    await stack.waitFor(() => stack!.timeline.of('server-listening').length === 200, 20_000, '200 servers');
    const all = instances();
    expect(all).toHaveLength(200);
    expect(new Set(all.map((i) => i.privateIp)).size).toBe(200);
    expect(all.every((i) => i.lifecycleState === 'InService')).toBe(true);
    for (let i = 0; i < all.length; i += 50) {
      const results = await Promise.all(
        all.slice(i, i + 50).map((instance) => gateProbe(stack!, instance.privateIp, instance.instanceId)),
      );
      for (const [j, result] of results.entries()) {
        const instance = all[i + j]!;
        expect(result).toMatchObject({ outcome: 'pass', httpStatus: 200, instanceId: instance.instanceId });
        expect(result.body).toMatchObject({ version: 'v7', releaseId: 'r7', serviceId: 'healthgate-app' });
      }
    }
    // Without the token: the status only, as the app answers strangers.
    const anonymous = await fetch(`http://${all[0]!.privateIp}:${stack.fleetPort}/health`);
    expect(anonymous.headers.get('content-type')).toBe('application/health+json');
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
    expect(await anonymous.json()).toEqual({ status: 'pass' });
    expect(Date.now() - started).toBeLessThan(30_000);
    // Terminating stops the server: the address refuses connections.
    stack.sim.model.autoscaling.setDesiredCapacity('big', 199);
    await stack.sim.model.settle();
    const gone = all.find(
      (i) => stack!.sim.model.autoscaling.instances.get(i.instanceId)?.lifecycleState === 'Terminated',
    )!;
    expect((await gateProbe(stack, gone.privateIp)).outcome).toBe('error');
  }, 60_000);

  it('the LB health checker judges light instances as it judges app processes', async () => {
    stack = await startLocalStack({
      seed: 42,
      timeScale: 0.1,
      fleet: {
        images: [
          { imageId: 'ami-light', light: {} },
          { imageId: 'ami-broken', light: { health: 'fail-permanent' } },
        ],
      },
    });
    const port = stack.fleetPort!;
    const { model } = stack.sim;
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
    for (const [name, image] of [
      ['good', 'ami-light'],
      ['bad', 'ami-broken'],
    ] as const) {
      model.launchTemplates.create(`${name}-lt`, { ImageId: image });
      model.autoscaling.createGroup({
        name,
        minSize: 0,
        maxSize: 1,
        desiredCapacity: 1,
        launchTemplate: { name: `${name}-lt` },
        loadBalancerNames: ['web-elb'],
      });
    }
    const good = model.autoscaling.groupInstances('good')[0]!;
    const bad = model.autoscaling.groupInstances('bad')[0]!;
    await stack.waitFor(
      () => stack!.timeline.of('lb-health', good.instanceId).find((e) => e.state === 'healthy'),
      10_000,
      'the good instance healthy',
    );
    expect(stack.timeline.of('lb-health', bad.instanceId).some((e) => e.state === 'healthy')).toBe(false);
  });

  it('per image: boot delay, permanent and transient failures, hang, refusal; health can change while running', async () => {
    stack = await startLocalStack({
      seed: 43,
      fleet: {
        images: [
          { imageId: 'ami-slow', light: { bootDelayMs: 400 } },
          { imageId: 'ami-perm', light: { health: LightHealth.failPermanent } },
          { imageId: 'ami-trans', light: { health: LightHealth.failTransient } },
          { imageId: 'ami-hang', light: { health: LightHealth.hang } },
          { imageId: 'ami-refuse', light: { health: LightHealth.refuse } },
        ],
      },
    });
    const s = stack;
    const one = (image: string) => group(s, image.replace('ami-', ''), image, 1)()[0]!;
    const slow = one('ami-slow');
    expect((await gateProbe(s, slow.privateIp, slow.instanceId, 200)).outcome).toBe('error');
    await s.waitFor(() => s.timeline.of('server-listening', slow.instanceId)[0], 3000, 'the slow boot');
    expect((await gateProbe(s, slow.privateIp, slow.instanceId)).outcome).toBe('pass');

    const perm = one('ami-perm');
    const trans = one('ami-trans');
    const hang = one('ami-hang');
    const refuse = one('ami-refuse');
    await s.waitFor(() => s.timeline.of('server-listening').length === 4, 3000, 'the servers');
    const permanent = await gateProbe(s, perm.privateIp, perm.instanceId);
    expect(permanent).toMatchObject({
      outcome: 'fail',
      httpStatus: 503,
      failingChecks: [expect.objectContaining({ name: 'migrations:pending', transient: false })],
    });
    const transient = await gateProbe(s, trans.privateIp, trans.instanceId);
    expect(transient).toMatchObject({
      outcome: 'fail',
      failingChecks: [expect.objectContaining({ name: 'database:responseTime', transient: true })],
    });
    const hung = await gateProbe(s, hang.privateIp, hang.instanceId, 300);
    expect(hung.outcome).toBe('error');
    expect(hung.latencyMs).toBeGreaterThanOrEqual(250);
    const refused = await gateProbe(s, refuse.privateIp, refuse.instanceId, 1000);
    expect(refused.outcome).toBe('error');
    expect(refused.latencyMs).toBeLessThan(250);

    const fleet = s.lightFleet!;
    await fleet.setHealth(trans.instanceId, LightHealth.pass);
    expect((await gateProbe(s, trans.privateIp, trans.instanceId)).outcome).toBe('pass');
    await fleet.setHealth(hang.instanceId, LightHealth.pass);
    expect((await gateProbe(s, hang.privateIp, hang.instanceId)).outcome).toBe('pass');
    await fleet.setHealth(refuse.instanceId, LightHealth.pass);
    expect((await gateProbe(s, refuse.privateIp, refuse.instanceId)).outcome).toBe('pass');
    await fleet.setHealth(refuse.instanceId, LightHealth.refuse);
    expect((await gateProbe(s, refuse.privateIp, refuse.instanceId, 1000)).outcome).toBe('error');
  });

  it('UserData: another identity (impostor) is caught by the gate; machine faults (hang, kill, refuse) apply', async () => {
    stack = await startLocalStack({ seed: 44, fleet: { images: [{ imageId: 'ami-light', light: {} }] } });
    const s = stack;
    const impostor = group(s, 'imp', 'ami-light', 1, { SIM_IMPOSTOR: '1' })()[0]!;
    const hanging = group(s, 'hang', 'ami-light', 1, { SIM_HANG_AFTER_MS: '200' })()[0]!;
    const killed = group(s, 'kill', 'ami-light', 1, { SIM_KILL_AFTER_MS: '200' })()[0]!;
    const refusing = group(s, 'refuse', 'ami-light', 1, { SIM_REFUSE_CONNECTIONS: '1' })()[0]!;
    await s.waitFor(() => s.timeline.of('server-listening').length === 3, 3000, 'the servers');
    const wrong = await gateProbe(s, impostor.privateIp, impostor.instanceId);
    expect(wrong.outcome).toBe('error');
    expect(wrong.instanceId).not.toBe(impostor.instanceId);
    expect((await gateProbe(s, refusing.privateIp, refusing.instanceId, 1000)).outcome).toBe('error');
    await s.waitFor(() => s.timeline.of('machine-fault').length === 2, 3000, 'the machine faults');
    const hung = await gateProbe(s, hanging.privateIp, hanging.instanceId, 300);
    expect(hung.latencyMs).toBeGreaterThanOrEqual(250);
    await s.waitFor(() => s.timeline.of('server-closed', killed.instanceId)[0], 3000, 'the kill');
    expect((await gateProbe(s, killed.privateIp, killed.instanceId, 1000)).outcome).toBe('error');
  });
});

describe('fleetByImage', () => {
  it('launches each instance on the fleet that has its image and terminates it there', async () => {
    const calls: string[] = [];
    const fake = (name: string, images: string[]): Fleet => ({
      hasImage: (id) => images.includes(id),
      launch: async (i) => void calls.push(`${name} launch ${i.instanceId}`),
      terminate: async (id) => void calls.push(`${name} terminate ${id}`),
    });
    const fleet = fleetByImage([fake('process', ['ami-app']), fake('light', ['ami-light'])]);
    const instance = (instanceId: string, imageId: string) => ({ instanceId, imageId }) as FleetInstance;
    expect([fleet.hasImage!('ami-app'), fleet.hasImage!('ami-light'), fleet.hasImage!('ami-none')]).toEqual([
      true,
      true,
      false,
    ]);
    await fleet.launch(instance('i-1', 'ami-light'));
    await fleet.launch(instance('i-2', 'ami-app'));
    await fleet.terminate('i-1');
    await fleet.terminate('i-2');
    await fleet.terminate('i-unknown');
    expect(calls).toEqual([
      'light launch i-1',
      'process launch i-2',
      'light terminate i-1',
      'process terminate i-2',
    ]);
  });
});
