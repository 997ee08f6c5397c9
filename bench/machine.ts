import { cpus, loadavg, totalmem } from 'node:os';
import type { MachineFacts } from './report';
import { MIB } from './stats';

/** The machine the figures are taken on, and how busy it is now. */
export function machine(): MachineFacts {
  const cores = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    totalMemoryMiB: Math.round(totalmem() / MIB),
    // Other work on the machine skews every figure; the 1-minute load average says how much.
    loadAverage1m: Number(loadavg()[0]?.toFixed(2) ?? 0),
  };
}
