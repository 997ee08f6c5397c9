/**
 * Function logs: what a handler writes is kept with its invocation (as CloudWatch Logs keeps it), concurrent
 * invocations never mix their lines, and the gate's completion line becomes a decision on the report's track.
 */
import { describe, expect, it } from 'vitest';
import { captureLogs, jsonLines } from '../../../../sim/lambda/function-logs';
import { LambdaFunctions } from '../../../../sim/lambda/functions';
import { decisionsInLogs } from '../../../../sim/report/gate-log';
import { buildTracks } from '../../../../sim/report/tracks';
import type { TimelineEntry } from '../../../../sim/timeline';

describe('function logs', () => {
  it('keep each invocation its own lines (stdout and stderr), concurrent ones apart', async () => {
    const functions = new LambdaFunctions({
      region: 'us-east-1',
      accountId: '123456789012',
      requestId: () => crypto.randomUUID(),
      logs: { echo: false },
    });
    functions.register('f', async (event: unknown) => {
      const n = (event as { n: number }).n;
      process.stdout.write(`{"message":"start","n":${n}}\n`);
      await new Promise((r) => setTimeout(r, 20 - n * 5));
      process.stderr.write(`done ${n}\n`);
      return n;
    });
    await Promise.all([1, 2, 3].map((n) => functions.invoke('f', { n })));
    expect(functions.invocations.map((r) => r.logs)).toEqual([
      ['{"message":"start","n":1}', 'done 1'],
      ['{"message":"start","n":2}', 'done 2'],
      ['{"message":"start","n":3}', 'done 3'],
    ]);
    await functions.close();
  });

  it('let writes from outside any invocation through', () => {
    const lines: string[] = [];
    captureLogs({ lines, echo: false }, () => undefined);
    expect(jsonLines(['{"a":1}', 'text', '{not json', '[1]'])).toEqual([{ a: 1 }]);
  });

  it("turn the gate's completion line into the instance's decision, timed from its action's start", () => {
    const line = JSON.stringify({
      level: 'WARN',
      message: 'lifecycle action completed',
      result: 'ABANDON',
      reason: 'NON_TRANSIENT_FAILURE',
      detail: 'migrations:pending failed',
      group: 'web-v3',
      instanceId: 'i-1',
    });
    expect(decisionsInLogs(['noise', line])).toEqual([
      {
        instanceId: 'i-1',
        group: 'web-v3',
        action: 'ABANDON',
        reason: 'NON_TRANSIENT_FAILURE',
        detail: 'migrations:pending failed',
      },
    ]);
    const entries = [
      {
        kind: 'instance',
        time: 1000,
        instanceId: 'i-1',
        groupName: 'web-v3',
        to: 'Pending',
        cause: 'launch',
      },
      {
        kind: 'instance',
        time: 1100,
        instanceId: 'i-1',
        groupName: 'web-v3',
        from: 'Pending',
        to: 'Pending:Wait',
        cause: 'hook',
      },
      {
        kind: 'lifecycle-action',
        time: 2100,
        instanceId: 'i-1',
        result: 'ABANDON',
        cause: 'CompleteLifecycleAction',
      },
      {
        kind: 'invocation-end',
        time: 2300,
        record: {
          requestId: 'r',
          functionName: 'f',
          type: 'Event',
          attempt: 1,
          event: { Records: [] },
          startedAt: 2000,
          outcome: 'success',
          result: { batchItemFailures: [] },
          logs: [line],
        },
      },
    ] as unknown as TimelineEntry[];
    const [track] = buildTracks(entries, 1000, () => 'v3');
    expect(track?.decisions).toEqual([
      {
        t: 1100,
        action: 'ABANDON',
        reason: 'NON_TRANSIENT_FAILURE',
        detail: 'migrations:pending failed',
        afterMs: 1000,
      },
    ]);
  });
});
