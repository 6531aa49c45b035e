import { CHANNEL_ROOM_PREFIX } from '../rooms.ts';
import type { SocketHook } from './index.ts';

/**
 * `recovery-rooms-dropped`: a recovered socket gets its id and its missed broadcasts but leaves its
 * channels, as a session store that keeps ids and packets but not rooms does (SES-5: id, rooms and
 * missed broadcasts): P06.
 */
export const recoveryRoomsDropped: SocketHook = (_ctx, socket) => {
  if (!socket.recovered) return;
  for (const room of [...socket.rooms]) if (room.startsWith(CHANNEL_ROOM_PREFIX)) void socket.leave(room);
};
