import type { ChatSocket, NodeContext } from '../context.ts';
import { isSlowConsumer, UnsentBytes } from '../resilience/socket-bounds.ts';

/** What this module reads of an Engine.IO packet: its data, a string or bytes. */
interface EnginePacket {
  data?: unknown;
}

/** The parts of Engine.IO's socket and transports read here (public fields, untyped by socket.io). */
interface EngineConn {
  writeBuffer: EnginePacket[];
  transport: { name: string; socket?: { bufferedAmount?: number; terminate?: () => void } };
  on(event: 'packetCreate', listener: (packet: EnginePacket) => void): void;
  close(discard?: boolean): void;
}

/** Bytes an Engine.IO packet takes on the wire: its data and a type byte. */
function packetBytes(packet: EnginePacket): number {
  const data = packet.data;
  if (typeof data === 'string') return Buffer.byteLength(data) + 1;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength + 1;
  return 1;
}

/**
 * RATE-7: a socket whose unsent outgoing data (Engine.IO's write buffer plus what the websocket
 * and its TCP socket still hold, as Redis's client-output-buffer-limit counts) passes the cap is a
 * slow consumer: it is cut at once, logged and counted. Checked as each packet is queued, the only
 * moment the figure grows.
 */
export function capOutput(ctx: NodeContext, socket: ChatSocket): void {
  const max = ctx.config.socketBounds.outgoingBufferMaxBytes;
  const conn = socket.conn as unknown as EngineConn;
  const unsent = new UnsentBytes(packetBytes);
  let cut = false;
  conn.on('packetCreate', (packet) => {
    if (cut) return;
    const transport = conn.transport;
    const held = transport.name === 'websocket' ? (transport.socket?.bufferedAmount ?? 0) : 0;
    const bytes = unsent.withIncoming(conn.writeBuffer, packet, held);
    if (!isSlowConsumer(bytes, max)) return;
    cut = true;
    ctx.metrics.inc('slowConsumersDisconnected');
    ctx.log.warn({ socketId: socket.id, userId: socket.data.identity.userId, unsentBytes: bytes, maxBytes: max, transport: transport.name }, 'slow consumer disconnected');
    // A client that is not reading would never take a session:ended (SES-1) nor a close frame:
    // the buffers are dropped and the TCP connection destroyed now, not after a closing handshake.
    const raw = transport.name === 'websocket' ? transport.socket : undefined;
    conn.close(true);
    raw?.terminate?.();
  });
}
