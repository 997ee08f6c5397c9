/**
 * Several fleets as one: each launch goes to the fleet that has the instance's image, each termination to the
 * fleet that launched it. Lets a run mix app processes and light instances (say, a real canary among hundreds
 * of light ones).
 */
import type { Fleet } from '../model/fleet';

/**
 * One fleet over `fleets`, asked in order.
 *
 * @example
 * const fleet = fleetByImage([processFleet, lightFleet]);
 */
export function fleetByImage(fleets: readonly Fleet[]): Fleet {
  const launchedBy = new Map<string, Fleet>();
  const owner = (imageId: string) => fleets.find((f) => f.hasImage?.(imageId) ?? true);
  return {
    hasImage: (imageId) => owner(imageId) !== undefined,
    admitsLoadBalancer: (instanceId) => launchedBy.get(instanceId)?.admitsLoadBalancer?.(instanceId) ?? true,
    async launch(instance) {
      const fleet = owner(instance.imageId);
      // The control plane asks hasImage first; a launch no fleet can run fails as the first fleet fails it.
      const target = fleet ?? fleets[0]!;
      launchedBy.set(instance.instanceId, target);
      await target.launch(instance);
    },
    async terminate(instanceId) {
      const fleet = launchedBy.get(instanceId);
      launchedBy.delete(instanceId);
      await fleet?.terminate(instanceId);
    },
  };
}
