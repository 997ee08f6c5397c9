/**
 * Malformed, hostile or forged inputs to the launch gate (EventBridge events and its own continuations): none
 * throws, none CONTINUEs, none probes anything; an identifiable action is abandoned, anything else is left alone.
 */
import {
  DescribeAutoScalingGroupsCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetInstanceHealthCommand,
} from '@aws-sdk/client-auto-scaling';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HISTORY_LIMIT, STATE_MAX_BYTES } from '../../shared/gate/state';
import { CLOCK_SKEW_ALLOWANCE_MS } from '../../shared/launch/run-step';
import { parseStateKeys, seal } from '../../shared/launch/state-seal';
import { EVENT_TIME, GROUP, HOOK, launchEvent, STATE_KEY, TOKEN } from '../support/launch-harness';
import {
  expectAbandonedOnly,
  fastPolicy,
  gateHarness,
  type HostileServer,
  INSTANCE,
  passingBody,
  rawResponse,
  runToEnd,
  startHostile,
} from './support';

let server: HostileServer;
beforeEach(async () => {
  server = await startHostile((socket) => socket.end(rawResponse(200, passingBody())));
});
afterEach(async () => {
  await server.close();
});

const ACTION = { group: GROUP, hook: HOOK, token: TOKEN, instanceId: INSTANCE };
const detail = launchEvent().detail as Record<string, unknown>;
const without = (key: string) => {
  const { [key]: _, ...rest } = detail;
  return { ...launchEvent(), detail: rest };
};

/** Inputs that name no lifecycle action the gate may complete: no AWS call, no probe, a clear error. */
const unidentifiable: [string, unknown, RegExp][] = [
  ['null', null, /\(event\)/],
  ['undefined', undefined, /\(event\)/],
  ['a number', 42, /\(event\)/],
  ['a string', 'EC2 Instance-launch Lifecycle Action', /\(event\)/],
  ['an array', [launchEvent()], /\(event\)/],
  ['an empty object', {}, /source/],
  ['no detail', { ...launchEvent(), detail: undefined }, /detail/],
  ['detail is a string', { ...launchEvent(), detail: JSON.stringify(detail) }, /detail/],
  ['another source', launchEvent({}, { source: 'my.app' }), /source/],
  ['no token', without('LifecycleActionToken'), /detail\.LifecycleActionToken/],
  ['a token of 35 characters', launchEvent({ LifecycleActionToken: TOKEN.slice(1) }), /LifecycleActionToken/],
  ['a numeric token', launchEvent({ LifecycleActionToken: 5 }), /LifecycleActionToken/],
  ['a token of 36 x', launchEvent({ LifecycleActionToken: 'x'.repeat(36) }), /LifecycleActionToken: must be/],
  [
    'a token with a path',
    launchEvent({ LifecycleActionToken: `../${TOKEN.slice(3)}` }),
    /LifecycleActionToken/,
  ],
  ['no group', without('AutoScalingGroupName'), /detail\.AutoScalingGroupName/],
  ['an empty group', launchEvent({ AutoScalingGroupName: '' }), /AutoScalingGroupName/],
  [
    'a group of 2000 characters',
    launchEvent({ AutoScalingGroupName: 'g'.repeat(2000) }),
    /AutoScalingGroupName/,
  ],
  ['a group as an object', launchEvent({ AutoScalingGroupName: { toString: 'x' } }), /AutoScalingGroupName/],
  ['no hook', without('LifecycleHookName'), /detail\.LifecycleHookName/],
  // Not provably a launch transition: not ours to complete (the hook's DefaultResult applies).
  ['a transition of the wrong type', launchEvent({ LifecycleTransition: 7 }), /LifecycleTransition/],
];

/**
 * Launch events without a usable instance id but with a valid group, hook and token: the token alone names the
 * action, so it is abandoned at once by token (no InstanceId sent), nothing probed.
 */
const noInstance: [string, unknown, RegExp][] = [
  ['no instance id', without('EC2InstanceId'), /detail\.EC2InstanceId/],
  ['an instance id that is not one', launchEvent({ EC2InstanceId: 'web-1' }), /EC2InstanceId/],
  ['an instance id with a path', launchEvent({ EC2InstanceId: 'i-0123456789abcdef0/../x' }), /EC2InstanceId/],
  ['an upper-case instance id', launchEvent({ EC2InstanceId: 'i-0123456789ABCDEF0' }), /EC2InstanceId/],
  ['a numeric instance id', launchEvent({ EC2InstanceId: 123 }), /EC2InstanceId/],
];

/** Launch events still identifiable (group, hook, token, instance) but malformed: abandoned at once. */
const abandonable: [string, unknown, RegExp][] = [
  ['no time', launchEvent({}, { time: undefined }), /^time/],
  ['a time that is not one', launchEvent({}, { time: 'yesterday' }), /^time/],
  [
    'NotificationMetadata as an object',
    launchEvent({ NotificationMetadata: { url: 'x' } }),
    /NotificationMetadata/,
  ],
];

describe('malformed launch events', () => {
  for (const [name, event, error] of unidentifiable) {
    it(`rejects ${name} with a clear error, no AWS call and no probe`, async () => {
      const h = gateHarness(server.port);
      const out = await h.step(event);
      expect(out).toMatchObject({ outcome: 'invalid' });
      expect(out.outcome === 'invalid' && out.errors.some((e) => error.test(e))).toBe(true);
      expect(h.mocks.as.calls()).toHaveLength(0);
      expect(h.fetched).toEqual([]);
      expect(h.metrics.points.map((p) => p.name)).toContain('InvalidEvents');
      expect(h.log.entries.some((e) => e.level === 'error' && e.message === 'malformed event rejected')).toBe(
        true,
      );
    });
  }

  for (const [name, event, error] of noInstance) {
    it(`abandons ${name} by its token alone, probes nothing`, async () => {
      const h = gateHarness(server.port);
      const out = await h.step(event);
      expect(out).toMatchObject({ outcome: 'invalid', completion: 'completed' });
      expect(out.outcome === 'invalid' && out.errors.some((e) => error.test(e))).toBe(true);
      expectAbandonedOnly(h, out);
      expect(h.completions()).toEqual([
        {
          AutoScalingGroupName: GROUP,
          LifecycleHookName: HOOK,
          LifecycleActionToken: TOKEN,
          LifecycleActionResult: 'ABANDON',
        },
      ]);
      expect(h.mocks.as.calls()).toHaveLength(1);
      expect(h.log.entries.find((e) => e.level === 'error')?.fields).toMatchObject({
        group: GROUP,
        willAbandon: true,
      });
    });
  }

  for (const [name, event, error] of abandonable) {
    it(`abandons ${name} at once (fail closed), naming the field`, async () => {
      const h = gateHarness(server.port);
      const out = await h.step(event);
      expect(out).toMatchObject({ outcome: 'invalid' });
      expect(out.outcome === 'invalid' && out.errors.some((e) => error.test(e))).toBe(true);
      expectAbandonedOnly(h, out);
      expect(h.completions()[0]).toMatchObject({ InstanceId: INSTANCE, AutoScalingGroupName: GROUP });
    });
  }

  for (const group of ['../web-blue', 'web-blue/../x', '/healthgate/web-blue', 'web-blue\nINFO forged']) {
    it(`a group name with path or control characters (${JSON.stringify(group)}) is never the instance's group`, async () => {
      const h = gateHarness(server.port);
      h.mocks.ssm
        .on(GetParameterCommand, { Name: `/healthgate/${group}/policy` })
        .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));
      const out = await runToEnd(h, launchEvent({ AutoScalingGroupName: group }));
      expect(out).toMatchObject({ decision: { action: 'ABANDON', reason: 'INSTANCE_NOT_IN_GROUP' } });
      expectAbandonedOnly(h, out);
    });
  }

  it('ignores a terminate lifecycle action without any call', async () => {
    const h = gateHarness(server.port);
    const out = await h.step(
      launchEvent(
        { LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' },
        { 'detail-type': 'EC2 Instance-terminate Lifecycle Action' },
      ),
    );
    expect(out).toMatchObject({ outcome: 'ignored' });
    expect(h.mocks.as.calls()).toHaveLength(0);
    expect(h.fetched).toEqual([]);
  });

  it('ignores NotificationMetadata and extra fields that name other targets', async () => {
    const h = gateHarness(server.port);
    const out = await runToEnd(
      h,
      launchEvent(
        {
          NotificationMetadata: JSON.stringify({
            url: 'http://169.254.169.254/',
            address: '8.8.8.8',
            port: 1,
          }),
          PrivateIpAddress: '169.254.169.254',
          Port: 22,
          Path: '//evil',
        },
        { url: 'http://169.254.169.254/latest/meta-data/' },
      ),
    );
    expect(out).toMatchObject({ decision: { action: 'CONTINUE' } });
    expect(new Set(h.fetched)).toEqual(new Set([`http://127.0.0.1:${server.port}/health`]));
  });

  it('takes a 1 MB event without trouble (ignoring what it does not read)', async () => {
    const h = gateHarness(server.port);
    const out = await runToEnd(
      h,
      launchEvent(
        { NotificationMetadata: 'm'.repeat(1_000_000) },
        { resources: new Array(10_000).fill('arn') },
      ),
    );
    expect(out).toMatchObject({ decision: { action: 'CONTINUE' } });
  });

  it('counts the deadline from now at the latest when the event time lies in the future', async () => {
    const h = gateHarness(server.port);
    server.requests.length = 0;
    const failing = await startHostile((socket) =>
      socket.end(rawResponse(503, JSON.stringify({ status: 'fail', instanceId: INSTANCE }))),
    );
    try {
      const g = gateHarness(failing.port);
      const future = new Date(EVENT_TIME + 365 * 24 * 3600 * 1000).toISOString();
      const start = g.clock.now();
      const out = await runToEnd(g, launchEvent({}, { time: future }));
      expect(out).toMatchObject({ decision: { action: 'ABANDON', reason: 'DEADLINE_EXCEEDED' } });
      // deadlineSeconds is 5: decided within it (plus one interval), not a year later.
      expect(g.clock.now() - start).toBeLessThanOrEqual(6_000);
    } finally {
      await failing.close();
    }
    expect(h.mocks.as.calls()).toHaveLength(0);
  });
});

describe('forged or damaged steps', () => {
  const passing = (at: number) => ({
    at,
    latencyMs: 5,
    outcome: 'pass',
    instanceId: INSTANCE,
    failingChecks: [],
  });
  const state = (over: Record<string, unknown> = {}) => ({
    v: 1,
    instanceId: INSTANCE,
    startedAt: EVENT_TIME,
    lastHeartbeatAt: EVENT_TIME,
    probes: 0,
    handovers: 1,
    history: [],
    ...over,
  });
  const continuation = (over: Record<string, unknown> = {}) => ({
    healthgate: 'step',
    v: 1,
    phase: 'gate',
    action: ACTION,
    state: state(),
    ...over,
  });
  /** A continuation sealed as the gate seals its own (with the harness's state key, or `key`). */
  const sealedContinuation = (over: Record<string, unknown> = {}, key = STATE_KEY) => {
    const body = continuation(over);
    return { ...body, seal: seal(body, parseStateKeys('test', key).seal) };
  };
  /** A state claiming two passes of the instance, just before now. */
  const claimed = () => state({ history: [passing(EVENT_TIME + 100), passing(EVENT_TIME + 200)], probes: 2 });

  const refused: [string, unknown, RegExp][] = [
    [
      'a state for another instance',
      continuation({ state: state({ instanceId: 'i-0fedcba9876543210' }) }),
      /is for i-0fedcba9876543210/,
    ],
    ['a state of another version', continuation({ state: state({ v: 2 }) }), /state\.v|state: invalid/],
    ['no state', continuation({ state: undefined }), /state/],
    [
      'a history longer than the limit',
      continuation({
        state: state({
          history: Array.from({ length: HISTORY_LIMIT + 1 }, (_, i) => passing(EVENT_TIME + i)),
        }),
      }),
      /history/,
    ],
    [
      'an observation with an unknown outcome',
      continuation({ state: state({ history: [{ ...passing(EVENT_TIME), outcome: 'PASS' }] }) }),
      /outcome/,
    ],
    [
      'a start in the future',
      continuation({ state: state({ startedAt: EVENT_TIME + 10 * CLOCK_SKEW_ALLOWANCE_MS }) }),
      /future/,
    ],
    ['a heartbeat in the future', continuation({ state: state({ lastHeartbeatAt: 8.64e15 }) }), /future/],
    [
      'an extra field (a URL riding along)',
      continuation({ url: 'http://169.254.169.254/' }),
      /url|Unrecognized/i,
    ],
    ['an unknown phase', continuation({ phase: 'done' }), /phase/],
    [
      'an LB watch without end',
      {
        healthgate: 'step',
        v: 1,
        phase: 'lb-verify',
        action: ACTION,
        verify: {
          eventTime: EVENT_TIME,
          continuedAt: EVENT_TIME,
          until: 8.64e15,
          intervalMs: 100,
          reads: 0,
        },
      },
      /verify\.until/,
    ],
    [
      'an LB watch continued in the future',
      {
        healthgate: 'step',
        v: 1,
        phase: 'lb-verify',
        action: ACTION,
        verify: {
          eventTime: EVENT_TIME,
          continuedAt: 8.64e15,
          until: 8.64e15 + 1000,
          intervalMs: 100,
          reads: 0,
        },
      },
      /future/,
    ],
  ];

  for (const [name, payload, error] of refused) {
    it(`refuses ${name}, abandons the action, probes nothing`, async () => {
      const h = gateHarness(server.port);
      const out = await h.step(payload);
      expect(out).toMatchObject({ outcome: 'invalid' });
      expect(out.outcome === 'invalid' && out.errors.some((e) => error.test(e))).toBe(true);
      expectAbandonedOnly(h, out);
      expect(h.mocks.as.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
    });
  }

  it('refuses a continuation whose action carries an address: nothing completed, nothing probed', async () => {
    const h = gateHarness(server.port);
    const out = await h.step(continuation({ action: { ...ACTION, address: '8.8.8.8' } }));
    expect(out).toMatchObject({ outcome: 'invalid', errors: [expect.stringMatching(/^action: /)] });
    expect(h.mocks.as.calls()).toHaveLength(0);
    expect(h.fetched).toEqual([]);
  });

  it('a continuation naming another group is re-checked: INSTANCE_NOT_IN_GROUP, nothing probed', async () => {
    const h = gateHarness(server.port);
    h.mocks.ssm
      .on(GetParameterCommand, { Name: '/healthgate/web-other/policy' })
      .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));
    const out = await runToEnd(h, continuation({ action: { ...ACTION, group: 'web-other' } }));
    expect(out).toMatchObject({ decision: { action: 'ABANDON', reason: 'INSTANCE_NOT_IN_GROUP' } });
    expectAbandonedOnly(h, out);
  });

  it('carried passes alone never continue: the instance itself must pass in this invocation', async () => {
    const carried = state({ history: [passing(EVENT_TIME + 100), passing(EVENT_TIME + 200)], probes: 2 });
    const sealedByGate = sealedContinuation({ state: carried });
    const failing = await startHostile((socket) =>
      socket.end(rawResponse(503, JSON.stringify({ status: 'fail', instanceId: INSTANCE }))),
    );
    try {
      const h = gateHarness(failing.port);
      const out = await runToEnd(h, sealedByGate);
      expectAbandonedOnly(h, out, `http://127.0.0.1:${failing.port}/health`);
      expect(failing.requests.length).toBeGreaterThan(0);
    } finally {
      await failing.close();
    }
    // The gate's own sealed state with a passing instance: one real probe completes the streak, then CONTINUE.
    const h = gateHarness(server.port);
    const out = await runToEnd(h, sealedByGate);
    expect(out).toMatchObject({ decision: { action: 'CONTINUE' } });
    expect(server.requests).toHaveLength(1);
  });

  // Whoever can invoke the function can send a continuation; only the gate's key makes its passes count.
  const unsealed: [string, () => Record<string, unknown>][] = [
    ['no seal', () => continuation({ state: claimed() })],
    [
      'a seal by another key',
      () => sealedContinuation({ state: claimed() }, 'another-key-0123456789abcdef0123456789'),
    ],
    ['a seal over other passes', () => ({ ...sealedContinuation({ state: state() }), state: claimed() })],
    [
      'a seal with an unknown key id',
      () => ({ ...sealedContinuation({ state: claimed() }), seal: { kid: 'x', mac: 'y' } }),
    ],
  ];
  for (const [name, make] of unsealed) {
    it(`carried passes with ${name} count for nothing: healthyThreshold fresh passes are needed`, async () => {
      const h = gateHarness(server.port, { policy: fastPolicy(server.port, { healthyThreshold: 3 }) });
      const out = await runToEnd(h, make());
      expect(out).toMatchObject({ decision: { action: 'CONTINUE' } });
      expect(server.requests).toHaveLength(3);
      expect(h.metrics.points.map((p) => p.name)).toContain('UnsealedContinuations');
    });
  }

  it('a continuation without a configured state key never counts carried passes', async () => {
    const h = gateHarness(server.port, { policy: fastPolicy(server.port, { healthyThreshold: 3 }) });
    h.deps.stateKeys = async () => undefined;
    const out = await runToEnd(h, sealedContinuation({ state: claimed() }));
    expect(out).toMatchObject({ decision: { action: 'CONTINUE' } });
    expect(server.requests).toHaveLength(3);
  });

  it('carried passes from another instance, or after the deadline, never count', async () => {
    const other = { ...passing(EVENT_TIME + 1000), instanceId: 'i-0fedcba9876543210' };
    const late = passing(EVENT_TIME + 3_600_000);
    const failing = await startHostile((socket) =>
      socket.end(rawResponse(200, passingBody('i-0fedcba9876543210'))),
    );
    try {
      for (const history of [
        [other, other, other],
        [late, late, late],
      ]) {
        const h = gateHarness(failing.port);
        const out = await runToEnd(h, continuation({ state: state({ history, probes: 3 }) }));
        expectAbandonedOnly(h, out, `http://127.0.0.1:${failing.port}/health`);
      }
    } finally {
      await failing.close();
    }
  });

  it('an oversized but valid state is compacted: the next step stays bounded', async () => {
    const big = Array.from({ length: HISTORY_LIMIT }, (_, i) => ({
      at: EVENT_TIME + i,
      latencyMs: 1,
      outcome: 'fail',
      instanceId: INSTANCE,
      error: 'e'.repeat(100_000),
      failingChecks: Array.from({ length: 200 }, (_, j) => ({
        name: `c${j}:${'n'.repeat(1000)}`,
        transient: true,
        output: 'o'.repeat(10_000),
      })),
    }));
    // The gate's own (sealed) state, re-compacted on arrival: the next step it schedules stays bounded.
    const h = gateHarness(server.port);
    const out = await h.step(sealedContinuation({ state: state({ history: big, probes: 1e9 }) }));
    expect(out.outcome).toBe('scheduled');
    const next = JSON.stringify(h.scheduled[0]?.step);
    expect(Buffer.byteLength(next)).toBeLessThan(STATE_MAX_BYTES + 2_000);
  });

  it('an LB-watch continuation only reads the load balancer: it never completes or probes', async () => {
    const h = gateHarness(server.port);
    const out = await h.step({
      healthgate: 'step',
      v: 1,
      phase: 'lb-verify',
      action: ACTION,
      verify: {
        eventTime: EVENT_TIME,
        continuedAt: EVENT_TIME,
        until: EVENT_TIME + 1000,
        intervalMs: 100,
        reads: 0,
      },
    });
    expect(out).toMatchObject({ outcome: 'lb-verified', verdict: 'healthy' });
    expect(h.completions()).toEqual([]);
    expect(h.fetched).toEqual([]);
    expect(h.mocks.as.commandCalls(RecordLifecycleActionHeartbeatCommand)).toHaveLength(0);
    expect(h.mocks.as.commandCalls(DescribeAutoScalingGroupsCommand).length).toBeGreaterThan(0);
  });
});
