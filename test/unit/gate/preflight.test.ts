import { describe, expect, it } from 'vitest';
import {
  judgeMember,
  judgeMembership,
  judgeTarget,
  judgeWarmPool,
  type MembershipFacts,
} from '../../../shared/gate';

const facts = (over: Partial<MembershipFacts> = {}): MembershipFacts => ({
  group: 'web',
  instanceId: 'i-1',
  groupFound: true,
  instanceFound: true,
  tagGroup: 'web',
  listedState: 'Pending:Wait',
  ec2State: 'running',
  ...over,
});

describe('judgeMembership', () => {
  it.each([
    ['waiting in its group', facts(), { kind: 'gate' }],
    ['an unknown group', facts({ groupFound: false }), { kind: 'abandon', reason: 'INSTANCE_NOT_IN_GROUP' }],
    [
      'an unknown instance',
      facts({ instanceFound: false }),
      { kind: 'abandon', reason: 'INSTANCE_NOT_IN_GROUP' },
    ],
    [
      'tagged with another group',
      facts({ tagGroup: 'other' }),
      { kind: 'abandon', reason: 'INSTANCE_NOT_IN_GROUP' },
    ],
    ['untagged and unlisted', facts({ tagGroup: undefined, listedState: undefined }), { kind: 'abandon' }],
    ['untagged but waiting in the listing', facts({ tagGroup: undefined }), { kind: 'gate' }],
    ['shutting down', facts({ ec2State: 'shutting-down' }), { kind: 'ended' }],
    ['terminated in the listing', facts({ listedState: 'Terminating:Wait' }), { kind: 'ended' }],
    ['not listed yet', facts({ listedState: undefined }), { kind: 'not-yet' }],
    ['still Pending', facts({ listedState: 'Pending' }), { kind: 'not-yet' }],
    [
      'already in service',
      facts({ listedState: 'InService' }),
      { kind: 'continued', lifecycleState: 'InService' },
    ],
    ['proceeding', facts({ listedState: 'Pending:Proceed' }), { kind: 'continued' }],
    ['in standby', facts({ listedState: 'Standby' }), { kind: 'stop' }],
    ['warming into the pool', facts({ listedState: 'Warmed:Pending:Wait' }), { kind: 'stop' }],
  ] as const)('%s → %o', (_name, input, expected) => {
    expect(judgeMembership(input)).toMatchObject(expected);
  });
});

describe('judgeTarget', () => {
  const ok = { ok: true } as const;
  it.each([
    ['allowed', { address: '10.0.0.5', addressCheck: ok, targetCheck: ok }, { kind: 'gate' }],
    ['no address', { addressCheck: ok, targetCheck: ok }, { kind: 'abandon', reason: 'ADDRESS_NOT_ALLOWED' }],
    [
      'an address outside probeCidrs',
      { address: '8.8.8.8', addressCheck: { ok: false, reason: 'outside' }, targetCheck: ok },
      { kind: 'abandon', reason: 'ADDRESS_NOT_ALLOWED', detail: 'outside' },
    ],
    [
      "the policy's port or path refused",
      { address: '10.0.0.5', addressCheck: ok, targetCheck: { ok: false, reason: 'port 22' } },
      { kind: 'abandon', reason: 'POLICY_INVALID' },
    ],
  ] as const)('%s → %o', (_name, input, expected) => {
    expect(judgeTarget({ instanceId: 'i-1', ...input })).toMatchObject(expected);
  });
});

describe('judgeWarmPool', () => {
  it.each([
    [{ listed: true, groupName: 'web', lifecycleState: 'Warmed:Pending:Wait' }, true],
    [{ listed: true, groupName: 'web', lifecycleState: 'Warmed:Running' }, false],
    [{ listed: true, groupName: 'other', lifecycleState: 'Warmed:Pending:Wait' }, false],
    [{ listed: false }, false],
    [{ error: 'denied' }, false],
  ] as const)('%o → continued without probing: %s', (input, ok) => {
    expect(judgeWarmPool(input, 'web', 'i-1').ok).toBe(ok);
  });
});

describe('judgeMember', () => {
  it('marks only an instance Auto Scaling lists in the group', () => {
    expect(judgeMember({ groupName: 'web' }, 'web', 'i-1')).toEqual({ member: true });
    expect(judgeMember({ groupName: 'other' }, 'web', 'i-1')).toMatchObject({ member: false });
    expect(judgeMember(undefined, 'web', 'i-1')).toMatchObject({
      member: false,
      why: expect.stringContaining('no longer'),
    });
  });
});
