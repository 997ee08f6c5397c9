import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../cli/progress';
import { formatStatus, StatusTracker } from '../../../cli/status';
import type { OutputStream } from '../../../cli/terminal';

const stream = (isTTY: boolean) => {
  const out: string[] = [];
  const s: OutputStream = { write: (t) => void out.push(t), isTTY, columns: 80 };
  return { s, text: () => out.join('') };
};

describe('status line', () => {
  it('counts the current group: pending, Pending:Wait, InService, abandoned, and says the step', () => {
    const t = new StatusTracker();
    t.setStep('step 2: deploy v2');
    expect(t.snapshot(0)).toMatchObject({
      pending: 0,
      wait: 0,
      inService: 0,
      abandoned: 0,
      step: 'step 2: deploy v2',
    });
    t.apply({
      type: 'deploy-started',
      time: 0,
      group: 'web-v2',
      previousGroup: 'web-v1',
      version: 'v2',
      desiredCapacity: 3,
      maxAbandons: 2,
    });
    for (const [id, to] of [
      ['i-1', 'Pending'],
      ['i-2', 'Pending:Wait'],
      ['i-3', 'InService'],
      ['i-4', 'Pending:Proceed'],
    ]) {
      t.apply({ type: 'instance-state', time: 1, group: 'web-v2', instanceId: id!, to: to! });
    }
    // Another group's instances (the serving one) do not count.
    t.apply({ type: 'instance-state', time: 1, group: 'web-v1', instanceId: 'i-9', to: 'InService' });
    t.apply({ type: 'launch-abandoned', time: 2, group: 'web-v2', abandons: 1, maxAbandons: 2 });
    t.apply({ type: 'scaling-out', time: 3, group: 'web-v2', from: 1, to: 3 });
    const s = t.snapshot(12_345);
    expect(s).toEqual({
      elapsedMs: 12_345,
      group: 'web-v2',
      pending: 1,
      wait: 2,
      inService: 1,
      abandoned: 1,
      step: 'canary passed: web-v2 scales 1 → 3',
    });
    expect(formatStatus(s)).toBe(
      '  12.3s  web-v2  pending 1 · Pending:Wait 2 · InService 1 · abandoned 1  canary passed: web-v2 scales 1 → 3',
    );
    expect(formatStatus(s, 30)).toHaveLength(30);
    // A new deploy starts its counts afresh.
    t.apply({
      type: 'deploy-started',
      time: 4,
      group: 'web-v3',
      version: 'v3',
      desiredCapacity: 3,
      maxAbandons: 2,
    });
    expect(t.snapshot(0)).toMatchObject({ group: 'web-v3', pending: 0, wait: 0, inService: 0, abandoned: 0 });
  });

  it('off a terminal: timeline lines as they come, the status as a plain line when its step changes', () => {
    const { s, text } = stream(false);
    const t = new StatusTracker();
    const p = createProgress(s, () => t.snapshot(0));
    p.line('first');
    t.setStep('step 1');
    p.status(t.snapshot(0));
    p.status(t.snapshot(100));
    p.done();
    expect(text().split('\n').filter(Boolean)).toEqual([
      'first',
      '[status]    0.0s  -  pending 0 · Pending:Wait 0 · InService 0 · abandoned 0  step 1',
    ]);
  });

  it('on a terminal: the status redrawn in place under the timeline, cleared at the end', () => {
    const { s, text } = stream(true);
    const t = new StatusTracker();
    const p = createProgress(s, () => t.snapshot(0), { redrawMs: 60_000 });
    t.setStep('step 1');
    p.status(t.snapshot(0));
    p.line('an event');
    p.done();
    const out = text();
    expect(out).toContain('\r\u001b[2Kan event\n');
    // The status comes back after the line, then is cleared.
    expect(out.indexOf('step 1', out.indexOf('an event'))).toBeGreaterThan(0);
    expect(out.endsWith('\r\u001b[2K')).toBe(true);
    expect(out).not.toContain('[status]');
  });
});
