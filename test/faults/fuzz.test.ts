/**
 * Properties over generated hostile inputs: arbitrary /health bodies never make a passing observation unless the
 * body really says pass from this instance with no failing check; arbitrary mutations of a launch event or a
 * continuation never make the gate throw, CONTINUE a failing instance, or request any other URL.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPassing } from '../../shared/gate/observation';
import { probe } from '../../shared/probe/probe';
import { EVENT_TIME, GROUP, HOOK, launchEvent, TOKEN } from '../support/launch-harness';
import { gateHarness, type HostileServer, INSTANCE, rawResponse, startHostile } from './support';

let answer: Buffer = Buffer.alloc(0);
let server: HostileServer;
let failing: HostileServer;
beforeAll(async () => {
  server = await startHostile((socket) => socket.end(answer));
  failing = await startHostile((socket) =>
    socket.end(rawResponse(503, JSON.stringify({ status: 'fail', instanceId: INSTANCE }))),
  );
});
afterAll(async () => {
  await server.close();
  await failing.close();
});

const statusArb = fc.oneof(fc.constantFrom('pass', 'warn', 'fail', 'PASS', 'ok', ''), fc.jsonValue());
const entryArb = fc.record(
  { status: statusArb, transient: fc.oneof(fc.boolean(), fc.jsonValue()), componentType: fc.jsonValue() },
  { requiredKeys: [] },
);
const bodyArb = fc.record(
  {
    status: statusArb,
    instanceId: fc.oneof(fc.constant(INSTANCE), fc.constant(`${INSTANCE} `), fc.string(), fc.jsonValue()),
    checks: fc.oneof(
      fc.dictionary(fc.oneof(fc.string(), fc.constant('__proto__')), fc.array(entryArb, { maxLength: 3 })),
      fc.jsonValue(),
    ),
    extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

/** What a body must say for the gate to count it as a pass. */
function reallyPasses(body: Record<string, unknown>): boolean {
  const checks = body.checks;
  const entries =
    checks === undefined
      ? []
      : typeof checks === 'object' && checks !== null && !Array.isArray(checks)
        ? Object.values(checks).flat()
        : [{ status: 'fail' }];
  return (
    (body.status === 'pass' || body.status === 'warn') &&
    body.instanceId === INSTANCE &&
    entries.every((e) => (e as { status?: unknown })?.status !== 'fail')
  );
}

describe('properties over hostile inputs', () => {
  it('an arbitrary /health body passes only when it really says pass from this instance', async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, fc.constantFrom(200, 201, 302, 503), async (body, status) => {
        answer = rawResponse(status, JSON.stringify(body));
        const result = await probe({
          address: '127.0.0.1',
          port: server.port,
          path: '/health',
          timeoutMs: 2_000,
          allowedCidrs: ['127.0.0.0/8'],
          expectedInstanceId: INSTANCE,
        });
        if (isPassing(result, INSTANCE)) {
          expect(status).toBe(200);
          expect(reallyPasses(body)).toBe(true);
        }
        expect(result.outcome).toMatch(/^(pass|warn|fail|error)$/);
      }),
      { numRuns: 300 },
    );
  });

  /** A launch event or continuation with one field replaced, removed or added at any depth. */
  function mutate(base: unknown, path: string[], value: unknown, remove: boolean): unknown {
    if (path.length === 0) return value;
    if (typeof base !== 'object' || base === null) return base;
    const [head, ...rest] = path as [string, ...string[]];
    const copy: Record<string, unknown> = Array.isArray(base) ? { ...base } : { ...(base as object) };
    if (remove && rest.length === 0) delete copy[head];
    else copy[head] = mutate(copy[head], rest, value, remove);
    return copy;
  }

  const event = launchEvent();
  const eventPaths = [
    ['source'],
    ['detail-type'],
    ['time'],
    ['detail'],
    ...Object.keys(event.detail).map((k) => ['detail', k]),
    ['detail', 'NotificationMetadata'],
    ['detail', '__proto__'],
    ['url'],
  ];
  const continuation = {
    healthgate: 'step',
    v: 1,
    phase: 'gate',
    action: { group: GROUP, hook: HOOK, token: TOKEN, instanceId: INSTANCE },
    state: {
      v: 1,
      instanceId: INSTANCE,
      startedAt: EVENT_TIME,
      lastHeartbeatAt: EVENT_TIME,
      probes: 1,
      handovers: 1,
      history: [
        { at: EVENT_TIME + 500, latencyMs: 3, outcome: 'fail', instanceId: INSTANCE, failingChecks: [] },
      ],
    },
  };
  const continuationPaths = [
    ['phase'],
    ['v'],
    ['action'],
    ['action', 'instanceId'],
    ['action', 'group'],
    ['state'],
    ['state', 'instanceId'],
    ['state', 'startedAt'],
    ['state', 'lastHeartbeatAt'],
    ['state', 'probes'],
    ['state', 'history'],
    ['state', 'history', '0', 'outcome'],
    ['state', 'history', '0', 'instanceId'],
    ['state', 'history', '0', 'at'],
    ['state', 'baseline'],
    ['verify'],
  ];
  const valueArb = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom(
      'pass',
      'lb-verify',
      INSTANCE,
      'i-0fedcba9876543210',
      '169.254.169.254',
      'WarmPool',
      'autoscaling:EC2_INSTANCE_LAUNCHING',
      1e300,
      -1,
      EVENT_TIME * 10,
    ),
  );

  it('a mutated event or continuation never throws, never continues a failing instance, never strays', async () => {
    const intended = `http://127.0.0.1:${failing.port}/health`;
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.nat(),
        valueArb,
        fc.boolean(),
        async (isEvent, pick, value, remove) => {
          const paths = isEvent ? eventPaths : continuationPaths;
          const path = paths[pick % paths.length]!;
          const input = mutate(isEvent ? event : continuation, path, value, remove);
          const h = gateHarness(failing.port);
          const out = await h.step(input);
          const warmPool =
            out.outcome === 'decided' && out.decision.reason === 'WARM_POOL' && value === 'WarmPool';
          if (!warmPool) {
            const continued = h.completions().filter((c) => c.LifecycleActionResult === 'CONTINUE');
            expect(continued).toEqual([]);
          }
          expect(h.completions().length).toBeLessThanOrEqual(1);
          for (const url of h.fetched) expect(url).toBe(intended);
        },
      ),
      { numRuns: 200 },
    );
  });
});
