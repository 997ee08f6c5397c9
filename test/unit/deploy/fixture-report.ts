/** A small, typed scenario report for the report's unit and browser tests. */
import type { ScenarioReport } from '../../../sim/report/types';

export function fixtureReport(): ScenarioReport {
  return {
    scenario: 'rollout',
    description: 'v1 serves; v2 <good> rolls out; v3 is stopped & v2 keeps serving.',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 20_000,
    passed: true,
    expectations: [
      { step: 1, what: 'deploy v2: outcome', expected: 'deployed', actual: 'deployed', ok: true },
      { step: 2, what: 'deploy v3: outcome', expected: 'rolled-back', actual: 'rolled-back', ok: true },
    ],
    deploys: [
      {
        step: 1,
        version: 'v2',
        group: 'web-v2',
        outcome: 'deployed',
        detail: 'ok',
        abandons: 0,
        verdict: 'proceed',
        startedT: 0,
        endedT: 9_000,
      },
      {
        step: 2,
        version: 'v3',
        group: 'web-v3',
        previousGroup: 'web-v2',
        outcome: 'rolled-back',
        failure: 'CIRCUIT_BREAKER',
        detail: '2 launch(es) abandoned',
        abandons: 2,
        startedT: 9_000,
        endedT: 18_000,
      },
    ],
    instances: [
      {
        instanceId: 'i-0000000000000000a',
        group: 'web-v2',
        version: 'v2',
        privateIp: '127.0.1.1',
        states: [
          { state: 'Pending', from: 0, to: 200 },
          { state: 'Pending:Wait', from: 200, to: 3_000 },
          { state: 'InService', from: 3_000 },
        ],
        decisions: [
          {
            t: 3_000,
            action: 'CONTINUE',
            reason: 'HEALTHY_THRESHOLD_MET',
            detail: '2/2 passes',
            afterMs: 2_800,
          },
        ],
        lb: [{ t: 3_500, state: 'healthy' }],
      },
      {
        instanceId: 'i-0000000000000000b',
        group: 'web-v3',
        version: 'v3',
        states: [
          { state: 'Pending', from: 9_100, to: 9_200 },
          { state: 'Pending:Wait', from: 9_200, to: 11_000 },
          { state: 'Terminating', from: 11_000, to: 12_000 },
          { state: 'Terminated', from: 12_000, to: 12_000 },
        ],
        decisions: [
          {
            t: 11_000,
            action: 'ABANDON',
            reason: 'NON_TRANSIENT_FAILURE',
            detail: 'pending migrations: 0003 <x>',
            afterMs: 1_800,
          },
        ],
        lb: [],
      },
    ],
    entries: [
      { time: 1, t: 0, source: 'deploy', group: 'web-v2', text: 'deploy v2 as web-v2', tone: 'step' },
      {
        time: 2,
        t: 11_000,
        source: 'gate',
        instanceId: 'i-0000000000000000b',
        text: 'gate ABANDON <NON_TRANSIENT_FAILURE>',
        tone: 'bad',
      },
    ],
  };
}
