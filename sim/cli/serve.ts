/**
 * `npm run sim`: starts the control plane's API on loopback and prints the environment that points the SDK
 * at it. Instances run nowhere (no-op fleet); lifecycle events and state changes are printed as JSON lines.
 *
 * Options: --port N (default 4566), --host 127.0.0.1, --time-scale F (default 1), --seed N.
 */
import { parseArgs } from 'node:util';
import { startSim } from '../start-sim';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4566' },
    host: { type: 'string', default: '127.0.0.1' },
    'time-scale': { type: 'string', default: '1' },
    seed: { type: 'string' },
  },
});

const sim = await startSim({
  host: values.host,
  port: Number(values.port),
  timeScale: Number(values['time-scale']),
  seed: values.seed === undefined ? undefined : Number(values.seed),
});

process.stdout.write(`healthgate sim listening on ${sim.endpoint}\n\n`);
for (const [key, value] of Object.entries(sim.env)) process.stdout.write(`export ${key}=${value}\n`);
process.stdout.write('\n');
sim.events.on('lifecycle', (event) => process.stdout.write(`${JSON.stringify({ lifecycle: event })}\n`));
sim.events.on('change', (change) => process.stdout.write(`${JSON.stringify({ change })}\n`));

const stop = async () => {
  await sim.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
