/** Messages between the bench and a server process it forked (the app, or the bare yardstick). */
export type AppServerMessage =
  | { kind: 'ready'; url: string }
  | { kind: 'stats'; runs: number; rssBytes: number; cpuMicros: number }
  | { kind: 'failed'; error: string };

/** Sends `message` to the parent bench, when there is one. */
export function sendToBench(message: AppServerMessage): void {
  process.send?.(message);
}

/** RSS and CPU time (user + system, µs) of this process, for the `stats` answer. */
export function processStats(): { rssBytes: number; cpuMicros: number } {
  const cpu = process.cpuUsage();
  return { rssBytes: process.memoryUsage().rss, cpuMicros: cpu.user + cpu.system };
}
