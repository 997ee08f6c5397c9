/**
 * `npm run sim`: starts the control plane's API on loopback and prints the environment that points the SDK
 * (and the functions) at it. Lifecycle events and state changes are printed as JSON lines.
 *
 * Options: --port N (default 4566), --host 127.0.0.1, --time-scale F (default 1), --seed N,
 * --gate (run functions/launch-gate.ts in process and deliver lifecycle events to it), --duplicates (deliver
 * every lifecycle event twice), --throttle F (throttle that share of API calls, at most 2 in a row per request).
 * Instances run nowhere: the model's instances have no process (the rollout's `npm start` runs a fleet).
 */
import { parseArgs } from 'node:util';
import { LAUNCH_GATE_FUNCTION, startLocalStack } from '../local-stack';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4566' },
    host: { type: 'string', default: '127.0.0.1' },
    'time-scale': { type: 'string', default: '1' },
    seed: { type: 'string' },
    gate: { type: 'boolean', default: false },
    duplicates: { type: 'boolean', default: false },
    throttle: { type: 'string' },
  },
});

const stack = await startLocalStack({
  host: values.host,
  port: Number(values.port),
  timeScale: Number(values['time-scale']),
  seed: values.seed === undefined ? undefined : Number(values.seed),
  duplicates: values.duplicates,
  functions: values.gate
    ? {
        [LAUNCH_GATE_FUNCTION]: {
          // One module instance per container, as Lambda's execution environments.
          load: (c: number) => import(`../../functions/launch-gate.ts?container=${c}`),
          options: { timeoutMs: 900_000 },
        },
      }
    : {},
});
if (values.throttle !== undefined) {
  stack.sim.faults.set([{ throttleRate: Number(values.throttle), maxConsecutive: 2 }]);
}

const out = (line: string) => process.stdout.write(`${line}\n`);
out(`healthgate sim listening on ${stack.endpoint}`);
out(values.gate ? `lifecycle events are delivered to ${LAUNCH_GATE_FUNCTION} (in process)` : '');
out('');
for (const [key, value] of Object.entries(stack.env)) out(`export ${key}=${value}`);
out(`# the gate's health token is in SSM at ${stack.env.HEALTH_TOKEN_PARAMETER}`);
out('');
stack.sim.events.on('lifecycle', (event) => out(JSON.stringify({ lifecycle: event })));
stack.sim.events.on('change', (change) => out(JSON.stringify({ change })));
stack.sim.functions.events.on('invocation', (e) => {
  if (e.kind === 'invocation-end') {
    const { requestId, attempt, outcome, result, error } = e.record;
    out(JSON.stringify({ invocation: { requestId, attempt, outcome, result, error } }));
  }
});

const stop = async () => {
  await stack.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
