import { userSockets } from '../cluster/user-sockets.ts';
import { CHANNEL_ROOM_PREFIX } from '../rooms.ts';
import { publicStatus } from '../state/presence-status.ts';
import type { Handler } from './handler.ts';

/** PRES-1, PRES-2: the new status goes to every channel any of the user's sockets is in. */
export const update: Handler<'presence:update'> = async (ctx, call, { status }) => {
  const userId = call.identity.userId;
  const sockets = await userSockets(ctx, userId);
  const rooms = new Set<string>();
  for (const s of sockets) for (const room of s.rooms) if (room.startsWith(CHANNEL_ROOM_PREFIX)) rooms.add(room);
  if (rooms.size > 0) ctx.io.to([...rooms]).emit('presence', { userId, status: publicStatus(status) });
  return { status };
};
