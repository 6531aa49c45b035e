import type { ClientEventName } from '../../../events.ts';

/**
 * Objects shaped almost like each event's payload, each wrong in one way the schema forbids (a
 * unit test proves every one fails the spec's own schema). Ids name unknown channels and users, so
 * a server that looks things up before validating answers NOT_FOUND instead of VALIDATION (ACK-3).
 */
export function invalidPayloads(unknownChannel: string): Record<ClientEventName, Array<[string, Record<string, unknown>]>> {
  const ref = [
    ['missing channelId', {}],
    ['numeric channelId', { channelId: 5 }],
    ['channelId starting with _', { channelId: '_x' }],
    ['channelId of 65 characters', { channelId: 'c'.repeat(65) }],
  ] as Array<[string, Record<string, unknown>]>;
  return {
    'channel:join': ref,
    'channel:leave': ref,
    'typing:start': ref,
    'typing:stop': ref,
    'channel:history': [
      ['limit 0', { channelId: unknownChannel, limit: 0 }],
      ['limit 101', { channelId: unknownChannel, limit: 101 }],
      ['fractional limit', { channelId: unknownChannel, limit: 1.5 }],
      ['beforeSeq 0', { channelId: unknownChannel, beforeSeq: 0 }],
      ['string beforeSeq', { channelId: unknownChannel, beforeSeq: '3' }],
    ],
    'message:send': [
      ['numeric text', { channelId: unknownChannel, text: 5, clientMsgId: 'k1' }],
      ['missing clientMsgId', { channelId: unknownChannel, text: 'hi' }],
      ['empty text', { channelId: unknownChannel, text: '', clientMsgId: 'k2' }],
      ['clientMsgId with a space', { channelId: unknownChannel, text: 'hi', clientMsgId: 'a b' }],
      ['attachments not an array', { channelId: unknownChannel, text: 'hi', clientMsgId: 'k3', attachments: {} }],
    ],
    'message:edit': [
      ['missing messageId', { text: 'x' }],
      ['numeric messageId', { messageId: 5, text: 'x' }],
      ['empty text', { messageId: 'no-such-message', text: '' }],
    ],
    'presence:update': [
      ['unknown status', { status: 'sleeping' }],
      ['missing status', {}],
      ['status offline (published, not settable)', { status: 'offline' }],
    ],
    'moderation:kick': [
      ['empty userId', { channelId: unknownChannel, userId: '', reason: 'x' }],
      ['missing reason', { channelId: unknownChannel, userId: 'someone' }],
      ['empty reason', { channelId: unknownChannel, userId: 'someone', reason: '' }],
    ],
    'moderation:ban': [
      ['durationMs 0', { userId: 'someone', reason: 'x', durationMs: 0 }],
      ['fractional durationMs', { userId: 'someone', reason: 'x', durationMs: 1.5 }],
      ['missing userId', { reason: 'x' }],
    ],
  };
}
