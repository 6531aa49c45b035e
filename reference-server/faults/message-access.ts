import type { Handler } from '../events/handler.ts';
import { channelRoom } from '../rooms.ts';

/**
 * `edit-ignores-channel-access`: message:edit checks authorship only, so an author removed from a
 * private channel still edits there (MSG-7: NOT_FOUND for a message in a channel the user cannot
 * read): S05. Anything else goes to the real handler.
 */
export function editIgnoresChannelAccess(real: Handler<'message:edit'>): Handler<'message:edit'> {
  return async (ctx, call, payload) => {
    const message = await ctx.store.getMessage(payload.messageId);
    if (!message || message.authorId !== call.identity.userId) return real(ctx, call, payload);
    const updated = await ctx.store.editMessage(payload.messageId, payload.text);
    if (!updated) return real(ctx, call, payload);
    ctx.io.to(channelRoom(updated.channelId)).emit('message:updated', updated);
    return updated;
  };
}

/** `edit-by-anyone`: message:edit never checks the author, so anyone may rewrite anyone's message (MSG-7: FORBIDDEN): S05. */
export function editByAnyone(real: Handler<'message:edit'>): Handler<'message:edit'> {
  return async (ctx, call, payload) => {
    const message = await ctx.store.getMessage(payload.messageId);
    return real(ctx, message ? { ...call, identity: { ...call.identity, userId: message.authorId } } : call, payload);
  };
}
