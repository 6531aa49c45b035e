import { PacketType } from 'socket.io-parser';
import { RecoveryClaim } from '../../spec/index.ts';
import type { Identity } from '../auth/identity.ts';
import type { ChatSocket, NodeContext } from '../context.ts';
import { canRead } from '../events/access.ts';
import { CHANNEL_ROOM_PREFIX, userRoom } from '../rooms.ts';

/**
 * Connection state recovery bound to the user and re-authorised (SES-5..8, NODE-3).
 *
 * Stock Socket.IO restores a session while it creates the socket, before the handshake middleware
 * runs: the missed packets are written to the connection and the rooms joined whatever the
 * middleware then decides, and a session is recovered by whoever presents its pid, whatever their
 * token. So the node takes the restore away from Socket.IO (its adapter answers "no session" to
 * Socket.IO's own call) and restores in the handshake middleware instead, once the token and the
 * ban check have passed: only a session of the same user, only into the channels that user may
 * still read and was not kicked from while away, and the missed packets only after the CONNECT packet.
 *
 * The sessions stay where the adapter keeps them (in memory on one node, in Redis across nodes),
 * written by Socket.IO when a socket drops; only their use is gated here.
 */

/** A session as Socket.IO's adapters persist and restore it (socket.io-adapter's Session). */
export interface HeldSession {
  sid: string;
  pid: string;
  rooms: string[];
  data: unknown;
  missedPackets: unknown[][];
}

/** The part of a session-aware adapter (in-memory or Redis Streams) the gate uses. */
export interface SessionStore {
  persistSession(session: Omit<HeldSession, 'missedPackets'>): void | Promise<void>;
  restoreSession(pid: string, offset: string): Promise<HeldSession | null> | HeldSession | null;
}

/** What recovery decided for a handshake with a claim. */
export type ResumePlan =
  | { kind: 'fresh'; reason: 'no-session' | 'another-user' }
  | { kind: 'resume'; rooms: string[]; dropped: string[] };

/**
 * Which of a held session's rooms a recovering socket gets back: pure. Another user's session is
 * never resumed (the socket starts afresh). Of the rooms, the user's own room and the channels in
 * `readable` come back; the socket's own-id room is joined again by Socket.IO on connect; any other
 * room is dropped.
 */
export function planResume(session: { sid: string; rooms: readonly string[]; owner: string | undefined }, userId: string, readable: ReadonlySet<string>, opts: { bindUser: boolean } = { bindUser: true }): ResumePlan {
  if (opts.bindUser && session.owner !== userId) return { kind: 'fresh', reason: 'another-user' };
  const rooms: string[] = [];
  const dropped: string[] = [];
  for (const room of session.rooms) {
    if (room === session.sid) continue;
    const keep = room === userRoom(userId) || (room.startsWith(CHANNEL_ROOM_PREFIX) && readable.has(room.slice(CHANNEL_ROOM_PREFIX.length)));
    (keep ? rooms : dropped).push(room);
  }
  return { kind: 'resume', rooms, dropped };
}

/**
 * The channels a session was kicked from while it was away: the `moderation:kicked` notices among
 * its missed broadcasts (the kick handler writes one to the user's room for exactly this): pure.
 */
export function kickedWhileAway(missedPackets: readonly unknown[][]): Set<string> {
  const kicked = new Set<string>();
  for (const packet of missedPackets) {
    const [event, notice] = packet;
    const channelId = (notice as { channelId?: unknown } | null | undefined)?.channelId;
    if (event === 'moderation:kicked' && typeof channelId === 'string') kicked.add(channelId);
  }
  return kicked;
}

/** The user a held session belonged to (its socket's `data.identity`), if it says. */
export function sessionOwner(data: unknown): string | undefined {
  const userId = (data as { identity?: { userId?: unknown } } | null | undefined)?.identity?.userId;
  return typeof userId === 'string' ? userId : undefined;
}

/**
 * The gate's two checks. A seam for the faulty builds `recovery-unbound` and `recovery-keeps-rooms`
 * (faults/): both checks sit inside one resume, so a wrapper could only switch them off by
 * rewriting the gate; app.ts passes both on.
 */
export interface GateOptions {
  /** Off only in the faulty build `recovery-unbound`: any user's token recovers any session. */
  bindUser: boolean;
  /** Off only in the faulty build `recovery-keeps-rooms`: every room comes back unchecked. */
  reauthorise: boolean;
}

export class RecoveryGate {
  private readonly missed = new WeakMap<ChatSocket, unknown[][]>();

  private constructor(
    private readonly store: SessionStore,
    private readonly restore: (pid: string, offset: string) => Promise<HeldSession | null>,
    private readonly opts: GateOptions,
  ) {}

  /**
   * Takes the restore away from Socket.IO on this adapter: its own call (made while the socket is
   * created, before any middleware) now finds no session, and only the gate restores.
   */
  static seal(adapter: SessionStore, opts: GateOptions): RecoveryGate {
    const restore = adapter.restoreSession.bind(adapter);
    adapter.restoreSession = () => Promise.resolve(null);
    return new RecoveryGate(adapter, async (pid, offset) => (await restore(pid, offset)) ?? null, opts);
  }

  /**
   * Called by the handshake middleware once the token and the ban check passed: recovers the
   * session named by the claim in `auth`, if there is one and it is this user's, into the channels
   * the user may still read, with the broadcasts missed there. Otherwise the socket stays fresh.
   * Any failure (the store or Redis down) leaves it fresh too: the client catches up with history.
   */
  async resume(ctx: NodeContext, socket: ChatSocket, identity: Identity): Promise<ResumePlan | undefined> {
    const claim = RecoveryClaim.safeParse(socket.handshake.auth);
    if (!claim.success) return undefined;
    const { pid, offset } = claim.data;
    try {
      const held = await this.restore(pid, offset);
      if (!held) return { kind: 'fresh', reason: 'no-session' };
      // The in-memory store keeps a session after it was recovered: never two live sockets with one id.
      if (idInUse(socket, held.sid)) return { kind: 'fresh', reason: 'no-session' };
      const owner = sessionOwner(held.data);
      const channels = held.rooms.filter((r) => r.startsWith(CHANNEL_ROOM_PREFIX)).map((r) => r.slice(CHANNEL_ROOM_PREFIX.length));
      const readable = this.opts.reauthorise ? await readableChannels(ctx, channels, identity) : new Set(channels);
      if (this.opts.reauthorise) for (const kicked of kickedWhileAway(held.missedPackets)) readable.delete(kicked);
      const plan = planResume({ sid: held.sid, rooms: held.rooms, owner }, identity.userId, readable, { bindUser: this.opts.bindUser });
      if (plan.kind === 'fresh') {
        // The session is not handed over; with Redis the look-up consumed it, so its owner starts afresh too (fails closed).
        ctx.log.warn({ userId: identity.userId, socketId: socket.id }, 'recovery refused: the session belongs to another user');
        return plan;
      }
      let missedPackets = held.missedPackets;
      if (plan.dropped.length > 0) {
        // The adapter selects missed packets by the session's rooms: ask again with the rooms kept.
        await this.store.persistSession({ sid: held.sid, pid: held.pid, rooms: [held.sid, ...plan.rooms], data: held.data });
        missedPackets = (await this.restore(pid, offset))?.missedPackets ?? [];
        ctx.log.info({ userId: identity.userId, socketId: held.sid, dropped: plan.dropped }, 'recovered without the channels the user may no longer read');
      }
      adopt(socket, held.sid, held.pid, plan.rooms);
      this.missed.set(socket, missedPackets);
      return plan;
    } catch (err) {
      ctx.log.warn({ err, userId: identity.userId }, 'recovery failed: the socket starts afresh');
      return { kind: 'fresh', reason: 'no-session' };
    }
  }

  /** Writes the broadcasts a recovered socket missed, in order, after its CONNECT packet. */
  deliverMissed(ctx: NodeContext, socket: ChatSocket): void {
    const packets = this.missed.get(socket);
    if (!packets) return;
    this.missed.delete(socket);
    for (const data of packets) {
      // Written as Socket.IO writes them (each already ends with its offset): not through emit,
      // which would log them again as new broadcasts with a new offset.
      for (const encoded of ctx.io.encoder.encode({ type: PacketType.EVENT, nsp: socket.nsp.name, data })) socket.conn.write(encoded);
    }
  }
}

async function readableChannels(ctx: NodeContext, channelIds: string[], who: Identity): Promise<Set<string>> {
  const readable = new Set<string>();
  for (const id of channelIds) {
    const channel = await ctx.store.getChannel(id);
    if (channel && (await canRead(ctx, channel, who))) readable.add(id);
  }
  return readable;
}

function idInUse(socket: ChatSocket, sid: string): boolean {
  const connecting = (socket.nsp as unknown as { _preConnectSockets?: Map<string, ChatSocket> })._preConnectSockets;
  return socket.nsp.sockets.has(sid) || connecting?.has(sid) === true;
}

/**
 * Gives a socket that has not connected yet the recovered session's id, pid and rooms. Socket.IO
 * does the same in its constructor when it restores; here it happens after the middleware's
 * checks. The namespace keeps sockets that are still connecting by id, so the entry moves too.
 */
function adopt(socket: ChatSocket, sid: string, pid: string, rooms: string[]): void {
  const connecting = (socket.nsp as unknown as { _preConnectSockets?: Map<string, ChatSocket> })._preConnectSockets;
  connecting?.delete(socket.id);
  Object.assign(socket, { id: sid, pid, recovered: true });
  connecting?.set(socket.id, socket);
  for (const room of rooms) void socket.join(room);
}
