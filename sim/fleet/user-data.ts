/**
 * A launch template version's UserData for the local fleet: an environment file (`KEY=VALUE` lines, `#`
 * comments), as a real user-data script would write for the app's service. Keys starting `SIM_` are
 * instructions to the local fleet itself (how the machine misbehaves); every other key is the app's.
 */

/** Machine-level faults the fleet plays out; values are data in the UserData. */
export const SimKnob = {
  /** The app process starts this many ms after the instance is running (a slow cloud-init). */
  bootDelayMs: 'SIM_BOOT_DELAY_MS',
  /** The process is frozen and thawed (SIGSTOP/SIGCONT) every this many ms: it flaps. */
  flapPeriodMs: 'SIM_FLAP_PERIOD_MS',
  /** `1`: the instance's metadata names another instance, so a different instance answers on the IP. */
  impostor: 'SIM_IMPOSTOR',
  /** The process is frozen (SIGSTOP) this many ms after it starts, and never thawed: it hangs. */
  hangAfterMs: 'SIM_HANG_AFTER_MS',
  /** The process is killed (SIGKILL) this many ms after it starts. */
  killAfterMs: 'SIM_KILL_AFTER_MS',
  /** `1`: nothing answers on the instance's port (the app is given another one): connections are refused. */
  refuseConnections: 'SIM_REFUSE_CONNECTIONS',
  /**
   * `1`: the instance's network admits the gate but not the load balancer (a security group missing the load
   * balancer's): the gate's probes pass, the load balancer's health checks time out.
   */
  lbUnreachable: 'SIM_LB_UNREACHABLE',
} as const;
export type SimKnob = (typeof SimKnob)[keyof typeof SimKnob];

/** The machine-level faults read from UserData. */
export interface MachineFaults {
  bootDelayMs: number;
  flapPeriodMs: number;
  impostor: boolean;
  /** 0: never. */
  hangAfterMs: number;
  /** 0: never. */
  killAfterMs: number;
  refuseConnections: boolean;
  lbUnreachable: boolean;
}

/** Parses an environment file; a line without `=` is ignored, as systemd's EnvironmentFile does. */
export function parseUserData(text: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of (text ?? '').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    env[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return env;
}

/** Formats an environment for UserData, keys sorted. */
export function formatUserData(env: Readonly<Record<string, string>>, comment?: string): string {
  const lines = Object.keys(env)
    .sort()
    .map((key) => `${key}=${env[key]}`);
  return `${comment ? `# ${comment}\n` : ''}${lines.join('\n')}\n`;
}

/** Splits UserData into the app's environment and the machine's faults. */
export function splitUserData(env: Readonly<Record<string, string>>): {
  appEnv: Record<string, string>;
  faults: MachineFaults;
} {
  const appEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('SIM_')) appEnv[key] = value;
  }
  const ms = (key: SimKnob) => {
    const n = Number(env[key] ?? '0');
    return Number.isFinite(n) && n > 0 ? n : 0;
  };
  return {
    appEnv,
    faults: {
      bootDelayMs: ms(SimKnob.bootDelayMs),
      flapPeriodMs: ms(SimKnob.flapPeriodMs),
      impostor: env[SimKnob.impostor] === '1',
      hangAfterMs: ms(SimKnob.hangAfterMs),
      killAfterMs: ms(SimKnob.killAfterMs),
      refuseConnections: env[SimKnob.refuseConnections] === '1',
      lbUnreachable: env[SimKnob.lbUnreachable] === '1',
    },
  };
}
