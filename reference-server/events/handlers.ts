import * as channels from './channels.ts';
import * as messages from './messages.ts';
import * as moderation from './moderation.ts';
import * as presence from './presence.ts';
import * as typing from './typing.ts';
import type { HandlerTable } from './handler.ts';

/** One handler per client event of the spec; the type makes a missing or mistyped one a compile error. */
export const handlers: HandlerTable = {
  'channel:join': channels.join,
  'channel:leave': channels.leave,
  'channel:history': channels.history,
  'message:send': messages.send,
  'message:edit': messages.edit,
  'typing:start': typing.start,
  'typing:stop': typing.stop,
  'presence:update': presence.update,
  'moderation:kick': moderation.kick,
  'moderation:ban': moderation.ban,
};
