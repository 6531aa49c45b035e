import type { CheckContext, TestUser } from '../context.ts';
import type { WireConnection } from '../wire/connection.ts';
import type { Role } from '../../auth.ts';

/** A channel with members connected and joined: the scene most checks start from. */
export interface Room {
  channelId: string;
  members: Array<{ user: TestUser; conn: WireConnection }>;
}

export async function room(ctx: CheckContext, names: string[], opts: { private?: boolean; roles?: Record<string, Role[]> } = {}): Promise<Room> {
  const users = await Promise.all(names.map((n) => ctx.user(n, opts.roles?.[n] ?? ['member'])));
  const channelId = await ctx.channel({ private: opts.private ?? false, members: opts.private ? users.map((u) => u.id) : [] });
  const members = [];
  for (const [i, user] of users.entries()) {
    const conn = await ctx.connectAs(names[i]!, user);
    await ctx.ok(conn, 'channel:join', { channelId }, `${names[i]} joins ${channelId}`);
    members.push({ user, conn });
  }
  return { channelId, members };
}

export function member(r: Room, i: number): { user: TestUser; conn: WireConnection } {
  const m = r.members[i];
  if (!m) throw new Error(`room has no member ${i}`);
  return m;
}

/** A fresh clientMsgId. */
export function msgKey(ctx: CheckContext): string {
  return ctx.uniqueId('m');
}
