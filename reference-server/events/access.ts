import type { Identity } from '../auth/identity.ts';
import type { NodeContext } from '../context.ts';
import { errors } from '../errors.ts';
import type { Channel } from '../store/types.ts';

export async function requireChannel(ctx: NodeContext, channelId: string): Promise<Channel> {
  const channel = await ctx.store.getChannel(channelId);
  if (!channel) throw errors.notFound(`channel ${channelId}`);
  return channel;
}

/** Whether a user may read a channel: public, or a member, or an admin (CHAN-2, HIST-2). */
export async function canRead(ctx: NodeContext, channel: Channel, who: Identity): Promise<boolean> {
  if (!channel.private || who.roles.includes('admin')) return true;
  return ctx.store.isMember(channel.id, who.userId);
}
