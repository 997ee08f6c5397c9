/**
 * The fleet: what actually runs an instance. The control plane decides when instances launch and terminate;
 * a fleet makes that real (the local fleet starts an app process bound to `privateIp`). A fleet also answers
 * the instance's IMDS-style identity (instance id, private IP) to its process: that is the fleet's concern.
 */

/** What a fleet needs to start one instance. */
export interface FleetInstance {
  instanceId: string;
  privateIp: string;
  groupName: string;
  launchTemplateId: string;
  launchTemplateName: string;
  launchTemplateVersion: number;
  imageId: string;
  instanceType: string;
  /** The launch template's UserData, base64-decoded (`undefined` when the template has none). */
  userData?: string;
  tags: Record<string, string>;
}

/** Starts and stops instances. A rejected `launch` fails the launch: the instance is terminated and replaced. */
export interface Fleet {
  launch(instance: FleetInstance): Promise<void>;
  terminate(instanceId: string): Promise<void>;
  /**
   * Whether the fleet can run this image (the AMI exists). Asked before a launch, so a version naming an image
   * the fleet lacks fails the way RunInstances does; a fleet without it runs any image.
   */
  hasImage?(imageId: string): boolean;
  /**
   * Whether load balancers' health checks reach the instance (its network admits them); a fleet without it admits
   * every check.
   */
  admitsLoadBalancer?(instanceId: string): boolean;
}

/** A fleet that runs nothing: instances exist only in the model. */
export const noopFleet = (): Fleet => ({
  launch: async () => undefined,
  terminate: async () => undefined,
});
