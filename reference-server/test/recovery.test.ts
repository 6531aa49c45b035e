import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kickedWhileAway, planResume, sessionOwner } from '../connection/recovery.ts';
import { channelRoom, userRoom } from '../rooms.ts';

const id = fc.stringMatching(/^[a-z0-9]{1,8}$/);

describe('planResume (SES-6, SES-8)', () => {
  it('never resumes another user\'s session', () => {
    fc.assert(
      fc.property(id, id, fc.array(id), (owner, who, channels) => {
        fc.pre(owner !== who);
        const rooms = ['sid', userRoom(owner), ...channels.map(channelRoom)];
        return planResume({ sid: 'sid', rooms, owner }, who, new Set(channels)).kind === 'fresh';
      }),
    );
  });

  it('gives back exactly the user\'s room and the readable channels; drops the rest; never the old id room', () => {
    fc.assert(
      fc.property(id, fc.uniqueArray(id), fc.uniqueArray(id), fc.array(id), (user, channels, readable, stray) => {
        const rooms = ['sid', userRoom(user), ...channels.map(channelRoom), ...stray.map((s) => `other:${s}`)];
        const plan = planResume({ sid: 'sid', rooms, owner: user }, user, new Set(readable));
        if (plan.kind !== 'resume') return false;
        const want = [userRoom(user), ...channels.filter((c) => readable.includes(c)).map(channelRoom)];
        const kept = new Set(plan.rooms);
        return (
          plan.rooms.length === want.length &&
          want.every((r) => kept.has(r)) &&
          !kept.has('sid') &&
          plan.rooms.length + plan.dropped.length === rooms.length - 1
        );
      }),
    );
  });

  it('drops another user\'s room even from the user\'s own session', () => {
    const plan = planResume({ sid: 's', rooms: ['s', userRoom('alice'), userRoom('bob')], owner: 'alice' }, 'alice', new Set());
    expect(plan).toEqual({ kind: 'resume', rooms: [userRoom('alice')], dropped: [userRoom('bob')] });
  });

  it('reads the owner from the persisted socket data only when it is there', () => {
    expect(sessionOwner({ identity: { userId: 'alice', roles: [] } })).toBe('alice');
    for (const data of [undefined, null, {}, { identity: {} }, { identity: { userId: 7 } }]) expect(sessionOwner(data)).toBeUndefined();
    // A session without an owner is nobody's: it never resumes.
    expect(planResume({ sid: 's', rooms: [], owner: undefined }, 'alice', new Set()).kind).toBe('fresh');
  });
});

describe('kickedWhileAway (SES-8)', () => {
  it('finds exactly the channels named by moderation:kicked notices among the missed packets', () => {
    const notice = (channelId: unknown) => ['moderation:kicked', { channelId, reason: 'r', reasonHtml: 'r', by: 'mod' }, 'offset'];
    const missed = [['message:new', { channelId: 'a' }, 'o1'], notice('b'), notice(7), ['typing', { channelId: 'c' }], notice('d'), [], [null]];
    expect([...kickedWhileAway(missed)].sort()).toEqual(['b', 'd']);
  });

  it('never names a channel that no kick notice named', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('message:new', 'typing', 'presence', 'moderation:kicked'), id)), (packets) => {
        const missed = packets.map(([event, channelId]) => [event, { channelId }]);
        const want = new Set(packets.filter(([e]) => e === 'moderation:kicked').map(([, c]) => c));
        const got = kickedWhileAway(missed);
        return got.size === want.size && [...got].every((c) => want.has(c));
      }),
    );
  });
});
