import type { ChatSocket, NodeContext } from '../context.ts';

/** What this module reads of a websocket transport's raw TCP socket (ws keeps it as `_socket`). */
interface RawSocket {
  cork(): void;
  uncork(): void;
  destroyed?: boolean;
}

/** The parts of Engine.IO's socket read here: its flush/drain events and its current transport. */
interface EngineConn {
  transport: { name: string; writable: boolean; socket?: { _socket?: RawSocket } };
  on(event: 'flush', listener: (buffer: readonly unknown[]) => void): void;
  on(event: 'drain', listener: () => void): void;
  on(event: 'packetCreate', listener: () => void): void;
  flush(): void;
}

/**
 * Largest flush written in one go. One write is done only when all of it is, and until then the
 * websocket counts all of it as unsent (RATE-7's figure); a flush of megabytes (history pages to a
 * burst) would be counted unsent long after the kernel took most of it, and a reader keeping up would
 * be cut as slow. Chat traffic's flushes are a few KB: those are the ones whose syscalls cost.
 */
const CORK_MAX_BYTES = 64 * 1024;

/** A flush's size, near enough to compare with CORK_MAX_BYTES (string length, not UTF-8 bytes). */
function approximateBytes(buffer: readonly unknown[]): number {
  let bytes = 0;
  for (const packet of buffer) {
    const data = (packet as { data?: unknown }).data;
    if (typeof data === 'string') bytes += data.length;
    else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) bytes += data.byteLength;
  }
  return bytes;
}

/**
 * Engine.IO hands the websocket transport everything queued for a socket in one synchronous call
 * (`flush`, then `drain`), and the transport writes each packet as its own websocket frame: one
 * `writev` system call per packet. Under load a socket's queue holds several packets at once (the
 * broadcasts of one group commit and the sender's ack), and these syscalls were about a third of the
 * server's busy time (CPU profile, bench workload at 50 clients). Corking the TCP socket for the length of that call sends the whole queue in one
 * `writev`: the same frames, in the same order, at the same moment (uncorked before `flush`
 * returns), so no packet waits and RATE-7's byte count is unchanged.
 */
export function coalesceWrites(ctx: NodeContext, socket: ChatSocket): void {
  const conn = socket.conn as unknown as EngineConn;
  const corkMaxBytes = Math.min(CORK_MAX_BYTES, ctx.config.socketBounds.outgoingBufferMaxBytes / 8);
  let corked: RawSocket | undefined;
  const release = () => {
    const raw = corked;
    corked = undefined;
    raw?.uncork();
  };
  conn.on('flush', (buffer) => {
    // A flush whose drain never came (the transport threw) must not leave the socket corked for good.
    release();
    if (buffer.length < 2 || conn.transport.name !== 'websocket' || approximateBytes(buffer) > corkMaxBytes) return;
    const raw = conn.transport.socket?._socket;
    if (!raw || raw.destroyed || typeof raw.cork !== 'function') return;
    raw.cork();
    corked = raw;
  });
  conn.on('drain', release);
}

/**
 * The first packet queued for an idle websocket socket is flushed at once, alone, and whatever the same
 * turn of the event loop queues after it waits for that write to complete: two writes per socket where
 * one would do (a group commit resolves all its sends in one turn, each broadcasting). Holding the
 * transport until the end of the turn (a process.nextTick queued from a promise callback runs once all
 * of them are done, before any I/O) lets Engine.IO flush the socket's packets of the turn together, in order, which
 * coalesceWrites then writes at once. Only an idle transport is held (a write in progress holds it
 * anyway), and only until the turn ends: no packet waits for I/O or a timer, and what is held stays in
 * Engine.IO's write buffer, where RATE-7 counts it. Volatile packets (none in this server) are dropped
 * while any write is pending, as Engine.IO already does after the first one of a turn.
 */
export function flushOncePerTurn(_ctx: NodeContext, socket: ChatSocket): void {
  const conn = socket.conn as unknown as EngineConn;
  let holding = false;
  const release = (transport: EngineConn['transport']) => {
    holding = false;
    // Nothing but this hold made it unwritable: no write of this transport was started meanwhile.
    transport.writable = true;
    conn.flush();
  };
  conn.on('packetCreate', () => {
    const transport = conn.transport;
    if (holding || !transport.writable || transport.name !== 'websocket') return;
    holding = true;
    transport.writable = false;
    process.nextTick(release, transport);
  });
}
