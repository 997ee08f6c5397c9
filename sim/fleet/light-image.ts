/**
 * A light image: instead of running the app, each instance is a minimal in-process health server on its own
 * address and the fleet's port, answering as the app does (`application/health+json`, details only to the
 * token's holder). Hundreds fit in one process, so a run can launch a fleet of hundreds on two cores. What the
 * instance's health says is the image's to choose; the machine faults of UserData apply as to app processes.
 */

/** What a light instance's `/health` says once it answers. */
export const LightHealth = {
  /** 200, every check passing. */
  pass: 'pass',
  /** 503, `migrations:pending` failing with `transient: false`: waiting will not help. */
  failPermanent: 'fail-permanent',
  /** 503, `database:responseTime` failing, transient: it might heal. */
  failTransient: 'fail-transient',
  /** Connections are accepted, requests never answered. */
  hang: 'hang',
  /** Nothing listens: connections are refused. */
  refuse: 'refuse',
} as const;
export type LightHealth = (typeof LightHealth)[keyof typeof LightHealth];

/** How the instances of a light image behave. */
export interface LightBehaviour {
  /** Real ms from launch until the server listens (connections are refused until then); default 0. */
  bootDelayMs?: number;
  /** What `/health` says; default {@link LightHealth.pass}. */
  health?: LightHealth;
  /** The version reported when UserData gives no `APP_VERSION`; default the image id. */
  version?: string;
}

/** A light image: an image id and how its instances behave. */
export interface LightImage {
  imageId: string;
  light: LightBehaviour;
}

/** Whether an image is light (served in process) rather than a build or a command. */
export const isLightImage = (image: object): image is LightImage => 'light' in image;
