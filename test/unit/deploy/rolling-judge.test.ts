import { describe, expect, it } from 'vitest';
import { judgeRolling, type RollingMemory, type RollingObservation } from '../../../shared/deploy';

const limits = { maxAbandons: 2, timeoutMs: 60_000, checkpoints: [33, 100], verdictSettleMs: 10_000 };
const fresh: RollingMemory = { nextCheckpoint: 0 };
const look = (over: Partial<RollingObservation> = {}): RollingObservation => ({
  elapsedMs: 1_000,
  status: 'InProgress',
  percentageComplete: 0,
  rollingBack: false,
  newInstances: [],
  settled: true,
  abandons: 0,
  unhealthy: [],
  now: 10_000,
  ...over,
});
const inService = (instanceId: string, lbHealthy = true) => ({
  instanceId,
  lifecycleState: 'InService',
  lbHealthy,
});

describe('judgeRolling', () => {
  it('waits without judging while the first replacement launches', () => {
    const { step } = judgeRolling(
      look({ newInstances: [{ instanceId: 'i-1', lifecycleState: 'Pending:Wait', lbHealthy: false }] }),
      fresh,
      limits,
    );
    expect(step).toEqual({ kind: 'wait', judge: false });
  });

  it('judges at a checkpoint and while baking, never while an instance is still being registered', () => {
    expect(judgeRolling(look({ newInstances: [inService('i-1')] }), fresh, limits).step).toMatchObject({
      judge: false,
    });
    expect(
      judgeRolling(look({ status: 'Baking', percentageComplete: 100 }), fresh, limits).step,
    ).toMatchObject({
      judge: true,
    });
    expect(
      judgeRolling(look({ status: 'Baking', percentageComplete: 100, settled: false }), fresh, limits).step,
    ).toMatchObject({ judge: false });
  });

  it('stops on the circuit breaker first, naming the limit', () => {
    const { step, memory } = judgeRolling(
      look({ abandons: 2, verdict: { verdict: 'proceed', at: 1, detail: '' } }),
      fresh,
      limits,
    );
    expect(step).toMatchObject({ kind: 'stop', failure: 'CIRCUIT_BREAKER' });
    expect(memory.stopping?.failure).toBe('CIRCUIT_BREAKER');
  });

  it('stops when Auto Scaling took an instance out of service on a health check, or on a rollback verdict', () => {
    expect(judgeRolling(look({ unhealthy: ['i-9'] }), fresh, limits).step).toMatchObject({
      kind: 'stop',
      failure: 'VERDICT_ROLLBACK',
      detail: expect.stringContaining('INSTANCE_UNHEALTHY i-9'),
    });
    expect(
      judgeRolling(
        look({ verdict: { verdict: 'rollback', at: 1, detail: 'LB_OUT_OF_SERVICE i-1: …' } }),
        fresh,
        limits,
      ).step,
    ).toMatchObject({ kind: 'stop', failure: 'VERDICT_ROLLBACK' });
  });

  it('stops at the timeout', () => {
    expect(judgeRolling(look({ elapsedMs: 60_000 }), fresh, limits).step).toMatchObject({
      kind: 'stop',
      failure: 'TIMEOUT',
    });
  });

  it('reaches a checkpoint, judges there, and lets the refresh on only after a proceed judged since', () => {
    const at = judgeRolling(
      look({ percentageComplete: 33, newInstances: [inService('i-1')], now: 20_000 }),
      fresh,
      limits,
    );
    expect(at.step).toEqual({ kind: 'wait', judge: true, checkpoint: 33 });
    expect(at.memory.checkpoint).toMatchObject({ percentage: 33, seen: ['i-1'], proceed: false });
    // An old proceed (before the checkpoint) does not count; a later launch without one stops the deploy.
    const launched = [
      inService('i-1'),
      { instanceId: 'i-2', lifecycleState: 'Pending:Wait', lbHealthy: false },
    ];
    const stale = { verdict: 'proceed' as const, at: 19_000, detail: 'ALL_HEALTHY' };
    expect(
      judgeRolling(
        look({ percentageComplete: 33, newInstances: launched, verdict: stale, now: 30_000 }),
        at.memory,
        limits,
      ).step,
    ).toMatchObject({
      kind: 'stop',
      failure: 'VERDICT_HOLD',
      detail: expect.stringContaining('past its 33% checkpoint (launching i-2)'),
    });
    const judged = { verdict: 'proceed' as const, at: 21_000, detail: 'ALL_HEALTHY' };
    const ok = judgeRolling(
      look({ percentageComplete: 33, newInstances: [inService('i-1')], verdict: judged, now: 22_000 }),
      at.memory,
      limits,
    );
    expect(ok.memory.checkpoint?.proceed).toBe(true);
    const on = judgeRolling(
      look({ percentageComplete: 33, newInstances: launched, verdict: judged, now: 30_000 }),
      ok.memory,
      limits,
    );
    expect(on.step.kind).toBe('wait');
    expect(on.memory.checkpoint).toBeUndefined();
  });

  it('is deployed only on a proceed judged after the refresh finished (baking counts)', () => {
    const baking = judgeRolling(
      look({ status: 'Baking', percentageComplete: 100, now: 40_000 }),
      fresh,
      limits,
    );
    expect(baking.step).toMatchObject({ kind: 'wait', judge: true });
    const early = { verdict: 'proceed' as const, at: 39_000, detail: 'x' };
    expect(
      judgeRolling(look({ status: 'Successful', verdict: early, now: 45_000 }), baking.memory, limits).step
        .kind,
    ).toBe('wait');
    const late = { verdict: 'proceed' as const, at: 41_000, detail: 'ALL_HEALTHY' };
    expect(
      judgeRolling(look({ status: 'Successful', verdict: late, now: 45_000 }), baking.memory, limits).step,
    ).toEqual({
      kind: 'deployed',
      detail: 'ALL_HEALTHY',
    });
  });

  it('restores the previous version when a finished refresh is judged rollback, or still holds after the settle time', () => {
    const done = { ...fresh, finishedSince: 40_000 };
    expect(
      judgeRolling(
        look({
          status: 'Successful',
          verdict: { verdict: 'rollback', at: 41_000, detail: 'x' },
          now: 42_000,
        }),
        done,
        limits,
      ).step,
    ).toMatchObject({ kind: 'restore', failure: 'VERDICT_ROLLBACK' });
    expect(
      judgeRolling(
        look({ status: 'Successful', verdict: { verdict: 'hold', at: 41_000, detail: 'x' }, now: 50_000 }),
        done,
        limits,
      ).step,
    ).toMatchObject({ kind: 'restore', failure: 'VERDICT_HOLD' });
  });

  it("follows Auto Scaling's own rollback to its end", () => {
    const rolling = judgeRolling(
      look({ status: 'RollbackInProgress', rollingBack: true, statusReason: 'failed' }),
      fresh,
      limits,
    );
    expect(rolling.step).toEqual({ kind: 'wait', judge: false });
    expect(rolling.memory.stopping?.failure).toBe('REFRESH_FAILED');
    expect(judgeRolling(look({ status: 'RollbackSuccessful' }), rolling.memory, limits).step).toMatchObject({
      kind: 'rolled-back',
      failure: 'REFRESH_FAILED',
    });
    expect(judgeRolling(look({ status: 'RollbackFailed' }), rolling.memory, limits).step).toMatchObject({
      kind: 'rolled-back',
      failure: 'AWS_ERROR',
    });
  });

  it('after asking for a rollback, a refresh that ended otherwise is restored by a new one', () => {
    const stopping: RollingMemory = { ...fresh, stopping: { failure: 'CIRCUIT_BREAKER', detail: 'stopped' } };
    expect(judgeRolling(look({ status: 'Successful' }), stopping, limits).step).toMatchObject({
      kind: 'restore',
      failure: 'CIRCUIT_BREAKER',
    });
    expect(judgeRolling(look({ status: 'InProgress' }), stopping, limits).step).toEqual({
      kind: 'wait',
      judge: false,
    });
  });

  it('a refresh cancelled from outside ends INTERRUPTED, restored once the cancel is over', () => {
    const cancelling = judgeRolling(look({ status: 'Cancelling' }), fresh, limits);
    expect(cancelling.step).toEqual({ kind: 'wait', judge: false });
    expect(judgeRolling(look({ status: 'Cancelled' }), cancelling.memory, limits).step).toMatchObject({
      kind: 'restore',
      failure: 'INTERRUPTED',
    });
  });
});
