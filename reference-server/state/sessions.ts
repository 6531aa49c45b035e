import type { PresenceStatus } from './presence-status.ts';

/**
 * The users connected to this node: their local sockets and presence (PRES-1, SES-2).
 * An entry lives while the user has a socket here.
 */
export class Sessions {
  private readonly users = new Map<string, { sockets: Set<string>; status: PresenceStatus }>();

  /** Adds a socket; true when it is the user's first on this node. */
  add(userId: string, socketId: string): boolean {
    const user = this.users.get(userId);
    if (user) {
      user.sockets.add(socketId);
      return false;
    }
    this.users.set(userId, { sockets: new Set([socketId]), status: 'online' });
    return true;
  }

  /** Removes a socket; true when it was the user's last on this node. */
  remove(userId: string, socketId: string): boolean {
    const user = this.users.get(userId);
    if (!user) return false;
    user.sockets.delete(socketId);
    if (user.sockets.size > 0) return false;
    this.users.delete(userId);
    return true;
  }

  setStatus(userId: string, status: PresenceStatus): void {
    const user = this.users.get(userId);
    if (user) user.status = status;
  }

  /** Drops users whose sockets are all gone; returns how many (the sweep's count, SES-3). */
  sweep(isConnected: (socketId: string) => boolean): number {
    let removed = 0;
    for (const [userId, user] of this.users) {
      for (const socketId of user.sockets) if (!isConnected(socketId)) user.sockets.delete(socketId);
      if (user.sockets.size === 0) {
        this.users.delete(userId);
        removed++;
      }
    }
    return removed;
  }

  get userCount(): number {
    return this.users.size;
  }

  get socketCount(): number {
    let n = 0;
    for (const user of this.users.values()) n += user.sockets.size;
    return n;
  }
}
