/** Socket.IO room names: one per channel, one per user (so any node can reach a user's sockets). */
export const channelRoom = (channelId: string) => `channel:${channelId}`;
export const userRoom = (userId: string) => `user:${userId}`;
export const CHANNEL_ROOM_PREFIX = 'channel:';
