/**
 * The light fleet: each instance of a light image is an in-process health server on the instance's own
 * loopback address and the fleet's port (no process, no metadata service), so hundreds run on two cores. To
 * the control plane it is a fleet like the process fleet: `launch` resolves once the instance is set up (its
 * server comes up after the boot delay), `terminate` stops it. To a prober it is an instance: real HTTP on the
 * private IP, the app's health body and authorisation, and the machine faults UserData asks for (boot delay,
 * flapping, impostor identity, hang, kill, refused connections).
 */
import type { HealthAuth } from '../../shared/health';
import type { Fleet, FleetInstance } from '../model/fleet';
import { type LightBehaviour, LightHealth, type LightImage } from './light-image';
import { type LightServer, startLightServer } from './light-server';
import { type FleetEvent, FleetLaunchError, impostorId } from './process-fleet';
import { type MachineFaults, parseUserData, splitUserData } from './user-data';

/** What the light fleet reports as its instances' servers come and go. */
export type LightFleetEvent =
  | Extract<FleetEvent, { kind: 'boot-delayed' | 'flap' | 'machine-fault' }>
  | { kind: 'server-listening'; time: number; instanceId: string; privateIp: string; imageId: string }
  | { kind: 'server-closed'; time: number; instanceId: string; cause: 'terminated' | 'killed' | 'refusing' };

/** One light instance as the fleet runs it. */
export interface LightInstance {
  instance: FleetInstance;
  faults: MachineFaults;
  /** The instance id its health body reports (another one for an impostor). */
  reportedId: string;
  health: LightHealth;
  /** Whether its server listens now. */
  listening: boolean;
  /** Why its server could not listen (its address or port taken), if so. */
  listenError?: string;
}

/** An instance the fleet does not run. */
export class UnknownInstanceError extends Error {
  override readonly name = 'UnknownInstanceError';

  constructor(readonly instanceId: string) {
    super(`the light fleet runs no instance ${instanceId}`);
  }
}

export interface LightFleetOptions {
  /** Light images by image id. */
  images: ReadonlyMap<string, LightImage>;
  /** The one port every instance listens on, on its own address. */
  port: number;
  /** Who sees the health details (the token the gate sends). */
  auth: HealthAuth;
  /** `serviceId` of the health body; default the app's. */
  serviceId?: string;
  onEvent?: (event: LightFleetEvent) => void;
  now?: () => number;
}

/** The light fleet and what it knows of its instances. */
export interface LightFleet extends Fleet {
  instances: ReadonlyMap<string, LightInstance>;
  /** Changes what an instance's `/health` says from now on (`refuse` closes its server; another reopens it). */
  setHealth(instanceId: string, health: LightHealth): Promise<void>;
  /** Stops every server; the fleet launches nothing afterwards. */
  close(): Promise<void>;
}

interface Running {
  record: LightInstance;
  behaviour: LightBehaviour;
  server?: LightServer;
  starting?: Promise<void>;
  timers: NodeJS.Timeout[];
  /** The boot delay is over: the server may listen. */
  booted: boolean;
  /** Killed by a machine fault: it never listens again. */
  dead: boolean;
  /** Terminated. */
  stopped: boolean;
}

/** The app's default `serviceId` (app/config.ts), so a light body reads like the app's. */
const APP_SERVICE_ID = 'healthgate-app';

/**
 * Starts nothing until the control plane launches an instance of one of `images`.
 *
 * @example
 * const fleet = createLightFleet({
 *   images: new Map([['ami-light', { imageId: 'ami-light', light: { bootDelayMs: 90_000 } }]]),
 *   port: 18080,
 *   auth: { token: healthToken },
 * });
 */
export function createLightFleet(options: LightFleetOptions): LightFleet {
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => undefined);
  const running = new Map<string, Running>();
  const instances = new Map<string, LightInstance>();
  let closed = false;

  const listen = (run: Running): Promise<void> => {
    const { record } = run;
    if (run.stopped || run.dead || closed || !run.booted || run.server || run.starting)
      return Promise.resolve();
    if (record.health === LightHealth.refuse || record.faults.refuseConnections) return Promise.resolve();
    const { instance } = run.record;
    const { appEnv } = splitUserData(parseUserData(instance.userData));
    run.starting = startLightServer({
      host: instance.privateIp,
      port: options.port,
      identity: {
        version: appEnv.APP_VERSION ?? run.behaviour.version ?? instance.imageId,
        ...(appEnv.RELEASE_ID ? { releaseId: appEnv.RELEASE_ID } : {}),
        serviceId: appEnv.SERVICE_ID ?? options.serviceId ?? APP_SERVICE_ID,
        instanceId: run.record.reportedId,
      },
      auth: options.auth,
      health: run.record.health,
      now,
    })
      .then(async (server) => {
        if (run.stopped || run.dead || closed) {
          await server.close();
          return;
        }
        run.server = server;
        record.listening = true;
        delete record.listenError;
        emit({
          kind: 'server-listening',
          time: now(),
          instanceId: instance.instanceId,
          privateIp: instance.privateIp,
          imageId: instance.imageId,
        });
        playFaults(run, server);
      })
      .catch((error: unknown) => {
        // As an app that cannot bind its address: the instance never answers.
        record.listenError = (error as Error).message;
      })
      .finally(() => {
        run.starting = undefined;
      });
    return run.starting;
  };

  const playFaults = (run: Running, server: LightServer) => {
    const { faults, instance } = run.record;
    const instanceId = instance.instanceId;
    if (faults.hangAfterMs > 0) {
      run.timers.push(
        setTimeout(() => {
          server.freeze();
          emit({ kind: 'machine-fault', time: now(), instanceId, fault: 'hang' });
        }, faults.hangAfterMs),
      );
    }
    if (faults.killAfterMs > 0) {
      run.timers.push(
        setTimeout(() => {
          emit({ kind: 'machine-fault', time: now(), instanceId, fault: 'kill' });
          run.dead = true;
          void unlisten(run, 'killed');
        }, faults.killAfterMs),
      );
    }
    if (faults.flapPeriodMs > 0) {
      let frozen = false;
      const toggle = () => {
        if (run.server !== server) return;
        frozen = !frozen;
        if (frozen) server.freeze();
        else server.thaw();
        emit({ kind: 'flap', time: now(), instanceId, frozen });
        run.timers.push(setTimeout(toggle, faults.flapPeriodMs));
      };
      run.timers.push(setTimeout(toggle, faults.flapPeriodMs));
    }
  };

  const unlisten = async (run: Running, cause: 'terminated' | 'killed' | 'refusing') => {
    await run.starting;
    const server = run.server;
    if (!server) return;
    run.server = undefined;
    run.record.listening = false;
    await server.close();
    emit({ kind: 'server-closed', time: now(), instanceId: run.record.instance.instanceId, cause });
  };

  const stop = async (run: Running) => {
    run.stopped = true;
    for (const timer of run.timers) clearTimeout(timer);
    await unlisten(run, 'terminated');
  };

  return {
    instances,
    hasImage: (imageId) => options.images.has(imageId),

    admitsLoadBalancer: (instanceId) => running.get(instanceId)?.record.faults.lbUnreachable !== true,

    async launch(instance) {
      if (closed) throw new FleetLaunchError('the fleet is closed', instance.instanceId);
      const image = options.images.get(instance.imageId);
      if (!image) throw new FleetLaunchError(`no image ${instance.imageId}`, instance.instanceId);
      const { faults } = splitUserData(parseUserData(instance.userData));
      const record: LightInstance = {
        instance,
        faults,
        reportedId: faults.impostor ? impostorId(instance.instanceId) : instance.instanceId,
        health: image.light.health ?? LightHealth.pass,
        listening: false,
      };
      const run: Running = {
        record,
        behaviour: image.light,
        timers: [],
        booted: false,
        dead: false,
        stopped: false,
      };
      instances.set(instance.instanceId, record);
      running.set(instance.instanceId, run);
      // The machine's boot (UserData) and then the app's own start (the image's): nothing listens until both.
      const delayMs = faults.bootDelayMs + (image.light.bootDelayMs ?? 0);
      const begin = () => {
        run.booted = true;
        return listen(run);
      };
      if (delayMs > 0) {
        emit({ kind: 'boot-delayed', time: now(), instanceId: instance.instanceId, delayMs });
        run.timers.push(setTimeout(() => void begin(), delayMs));
      } else {
        await begin();
      }
    },

    async terminate(instanceId) {
      const run = running.get(instanceId);
      if (!run) return;
      running.delete(instanceId);
      await stop(run);
    },

    async setHealth(instanceId, health) {
      const run = running.get(instanceId);
      if (!run) throw new UnknownInstanceError(instanceId);
      run.record.health = health;
      await run.starting;
      if (health === LightHealth.refuse) await unlisten(run, 'refusing');
      else if (run.server) run.server.health = health;
      else await listen(run);
    },

    async close() {
      closed = true;
      const all = [...running.values()];
      running.clear();
      await Promise.all(all.map(stop));
    },
  };
}
