/** The report's instance refresh parts: serving capacity replayed from the timeline, refresh phases, their chart. */
import { describe, expect, it } from 'vitest';
import type { DeployEvent } from '../../../../shared/deploy';
import { buildRefreshTracks, describeDeployEvent, renderHtml, servingRange } from '../../../../sim/report';
import type { TimelineEntry } from '../../../../sim/timeline';
import { fixtureReport } from '../../deploy/fixture-report';

const state = (time: number, instanceId: string, to: string, groupName = 'web'): TimelineEntry => ({
  kind: 'instance',
  time,
  instanceId,
  groupName,
  to: to as never,
  ec2State: 'running',
  cause: 'test',
});
const lb = (time: number, instanceId: string, s: string): TimelineEntry => ({
  kind: 'lb-health',
  time,
  target: 'elb/web',
  instanceId,
  state: s,
});

describe('servingRange', () => {
  it('counts instances InService and healthy on the load balancer, at every change inside the window', () => {
    const entries: TimelineEntry[] = [
      state(1, 'i-a', 'InService'),
      lb(2, 'i-a', 'healthy'),
      state(3, 'i-b', 'InService'),
      lb(4, 'i-b', 'healthy'),
      state(10, 'i-c', 'InService'),
      state(11, 'i-a', 'Terminating'),
      lb(12, 'i-c', 'healthy'),
      state(13, 'i-x', 'InService', 'other'),
      state(30, 'i-b', 'Terminating'),
    ];
    expect(servingRange(entries, 'web', 5, 20)).toEqual({ lowest: 1, highest: 2, lowestAt: 11 });
    expect(servingRange(entries, 'web', 12, 20)).toMatchObject({ lowest: 2, highest: 2 });
  });
});

describe('refresh tracks and chart', () => {
  const events: DeployEvent[] = [
    {
      type: 'refresh-started',
      time: 1_000,
      group: 'web',
      refreshId: 'ir-12345678',
      templateVersion: '8',
      purpose: 'deploy',
      settings: {
        minHealthyPercentage: 100,
        maxHealthyPercentage: 100,
        checkpointPercentages: [33, 100],
        autoRollback: true,
      },
    },
    {
      type: 'refresh-status',
      time: 1_100,
      group: 'web',
      refreshId: 'ir-12345678',
      status: 'InProgress',
      percentageComplete: 0,
    },
    {
      type: 'refresh-status',
      time: 5_000,
      group: 'web',
      refreshId: 'ir-12345678',
      status: 'InProgress',
      percentageComplete: 33,
    },
    { type: 'checkpoint', time: 5_000, group: 'web', refreshId: 'ir-12345678', percentage: 33 },
    {
      type: 'refresh-rollback',
      time: 8_000,
      group: 'web',
      refreshId: 'ir-12345678',
      by: 'deploy',
      reason: 'hold',
    },
    {
      type: 'refresh-status',
      time: 8_100,
      group: 'web',
      refreshId: 'ir-12345678',
      status: 'RollbackInProgress',
      percentageComplete: 33,
    },
    {
      type: 'refresh-status',
      time: 9_000,
      group: 'web',
      refreshId: 'ir-12345678',
      status: 'RollbackSuccessful',
      percentageComplete: 0,
    },
  ];

  it('keeps each status as a span, the progress, the checkpoints and the rollback', () => {
    const [track] = buildRefreshTracks(events, 0);
    expect(track).toMatchObject({
      refreshId: 'ir-12345678',
      templateVersion: '8',
      phases: [
        { status: 'InProgress', from: 1_100, to: 8_100 },
        { status: 'RollbackInProgress', from: 8_100, to: 9_000 },
        { status: 'RollbackSuccessful', from: 9_000, to: 9_000 },
      ],
      progress: [
        { t: 1_100, percentage: 0 },
        { t: 5_000, percentage: 33 },
        { t: 9_000, percentage: 0 },
      ],
      checkpoints: [{ t: 5_000, percentage: 33 }],
      rollback: { t: 8_000, by: 'deploy', reason: 'hold' },
    });
  });

  it('draws them above the instances, with a legend', () => {
    const html = renderHtml({ ...fixtureReport(), refreshes: buildRefreshTracks(events, 0) });
    expect(html).toContain('data-refresh="ir-12345678"');
    expect(html).toMatch(/class="refresh-phase"[^>]*data-status="InProgress"/);
    expect(html).toMatch(/class="refresh-phase"[^>]*data-status="RollbackInProgress"/);
    expect(html).toContain('class="refresh-progress"');
    expect(html).toContain('data-percentage="33"');
    expect(html).toContain('class="refresh-rollback"');
    expect(html).toContain('percentage complete</span>');
    expect(renderHtml(fixtureReport())).not.toContain('class="refresh"');
  });

  it('tells each refresh event in one line', () => {
    expect(describeDeployEvent(events[0]!).text).toBe(
      'instance refresh ir-12345678 to launch template version 8 (min 100%, max 100%, checkpoints 33/100% every 3600 s, auto rollback)',
    );
    expect(describeDeployEvent(events[3]!).text).toMatch(/^checkpoint 33%: the refresh pauses/);
    expect(describeDeployEvent(events[4]!)).toMatchObject({
      text: 'rolling back instance refresh ir-12345678: hold',
      tone: 'bad',
    });
  });
});
