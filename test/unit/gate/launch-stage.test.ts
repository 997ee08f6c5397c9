import { describe, expect, it } from 'vitest';
import { LaunchStage, launchStage } from '../../../shared/gate';

describe('launchStage', () => {
  const table: [string | undefined, LaunchStage][] = [
    ['Pending:Wait', LaunchStage.waiting],
    [undefined, LaunchStage.notYet],
    ['', LaunchStage.notYet],
    ['Pending', LaunchStage.notYet],
    ['Pending:Proceed', LaunchStage.continued],
    ['InService', LaunchStage.continued],
    ['Terminating', LaunchStage.ended],
    ['Terminating:Wait', LaunchStage.ended],
    ['Terminated', LaunchStage.ended],
    ['Warmed:Pending:Wait', LaunchStage.elsewhere],
    ['Warmed:Running', LaunchStage.elsewhere],
    ['Standby', LaunchStage.elsewhere],
    ['EnteringStandby', LaunchStage.elsewhere],
    ['Detaching', LaunchStage.elsewhere],
    ['pending:wait', LaunchStage.elsewhere],
    ['Pending:Wait ', LaunchStage.elsewhere],
  ];
  for (const [state, stage] of table) {
    it(`${JSON.stringify(state)} → ${stage}`, () => expect(launchStage(state)).toBe(stage));
  }
});
