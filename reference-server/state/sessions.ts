/**
 * The users connected to this node and their local sockets (PRES-2, SES-2).
 * An entry lives while the user has a socket here.
 */
export class Sessions {
  private readonly users = new Map<string, Set<string>>();

  /** Adds a socket; true when it is the user's first on this node. */
  add(userId: string, socketId: string): boolean {
    const sockets = this.users.get(userId);
    if (sockets) {
      sockets.add(socketId);
      return false;
    }
    this.users.set(userId, new Set([socketId]));
    return true;
  }

  /** Removes a socket; true when it was the user's last on this node. */
  remove(userId: string, socketId: string): boolean {
    const sockets = this.users.get(userId);
    if (!sockets) return false;
    sockets.delete(socketId);
    if (sockets.size > 0) return false;
    this.users.delete(userId);
    return true;
  }

  /** Drops users whose sockets are all gone; returns how many (the sweep's count, SES-3). */
  sweep(isConnected: (socketId: string) => boolean): number {
    let removed = 0;
    for (const [userId, sockets] of this.users) {
      for (const socketId of sockets) if (!isConnected(socketId)) sockets.delete(socketId);
      if (sockets.size === 0) {
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
    for (const sockets of this.users.values()) n += sockets.size;
    return n;
  }
}
