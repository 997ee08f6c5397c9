import { AutoScalingClient, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createAutoScalingAdapter } from '../../../shared/aws/autoscaling';
import { countAbandonedLaunches } from '../../../shared/fleet/abandons';
import { TOKEN } from '../../support/launch-harness';

describe('countAbandonedLaunches', () => {
  it('counts launches cancelled by an abandoned lifecycle action, optionally since a time', async () => {
    const client = new AutoScalingClient({});
    const mock = mockClient(client);
    const abandoned = (id: string, at: string) => ({
      ActivityId: id,
      AutoScalingGroupName: 'web-green',
      Cause: 'launch',
      StartTime: new Date(at),
      StatusCode: 'Cancelled' as const,
      StatusMessage: `Instance failed to complete user's Lifecycle Action: Lifecycle Action with token ${TOKEN} was abandoned: Lifecycle Action Completed with ABANDON Result`,
    });
    mock.on(DescribeScalingActivitiesCommand).resolves({
      Activities: [
        abandoned('a1', '2026-01-01T00:10:00Z'),
        abandoned('a2', '2026-01-01T00:05:00Z'),
        {
          ActivityId: 'a3',
          AutoScalingGroupName: 'web-green',
          Cause: 'x',
          StartTime: new Date(0),
          StatusCode: 'Successful',
        },
        {
          ActivityId: 'a4',
          AutoScalingGroupName: 'web-green',
          Cause: 'x',
          StartTime: new Date(0),
          StatusCode: 'Cancelled',
          StatusMessage: 'Instance terminated',
        },
      ],
    });
    const autoscaling = createAutoScalingAdapter(client);
    expect(await countAbandonedLaunches(autoscaling, 'web-green')).toBe(2);
    expect(
      await countAbandonedLaunches(autoscaling, 'web-green', { since: new Date('2026-01-01T00:06:00Z') }),
    ).toBe(1);
    expect(mock.commandCalls(DescribeScalingActivitiesCommand)[0]?.args[0].input).toMatchObject({
      AutoScalingGroupName: 'web-green',
    });
  });
});
