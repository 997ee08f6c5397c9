/**
 * Test-harness knobs: faults a local control plane injects through the environment to make an instance
 * unhealthy on purpose. All of them are off unless set; none belongs in a real deployment.
 *
 * | key | effect |
 * | --- | --- |
 * | `FAULT_BROKEN_HOME=1` | the home page throws (500), so the deep health's page check fails |
 * | `FAULT_HOME_DELAY_MS=N` | the home page answers after N ms (a slow page, a long in-flight request) |
 * | `FAULT_HEALTH_DELAY_MS=N` | each deep health run takes N ms more (a slow `/health`) |
 *
 * "Migrations not applied" needs no knob: do not run `npm run migrate` (and leave `MIGRATE_ON_BOOT` off).
 */
export interface Faults {
  brokenHome: boolean;
  homeDelayMs: number;
  healthDelayMs: number;
}

/** The harness knobs' names, one place. */
export const FaultKey = {
  brokenHome: 'FAULT_BROKEN_HOME',
  homeDelayMs: 'FAULT_HOME_DELAY_MS',
  healthDelayMs: 'FAULT_HEALTH_DELAY_MS',
} as const;

export const NO_FAULTS: Faults = { brokenHome: false, homeDelayMs: 0, healthDelayMs: 0 };

/** Reads the harness knobs; a malformed value is ignored (a knob never stops the app from booting). */
export function readFaults(env: Record<string, string | undefined>): Faults {
  return {
    brokenHome: env[FaultKey.brokenHome] === '1' || env[FaultKey.brokenHome]?.toLowerCase() === 'true',
    homeDelayMs: millis(env[FaultKey.homeDelayMs]),
    healthDelayMs: millis(env[FaultKey.healthDelayMs]),
  };
}

function millis(value: string | undefined): number {
  const n = Number(value ?? '0');
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** Thrown by the home page under `FAULT_BROKEN_HOME`. */
export class InjectedFaultError extends Error {
  override readonly name = 'InjectedFaultError';
  readonly fault: keyof Faults;

  constructor(fault: keyof Faults) {
    super(`injected fault: ${fault}`);
    this.fault = fault;
  }
}
