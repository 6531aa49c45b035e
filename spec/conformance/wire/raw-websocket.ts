import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';

/**
 * A bare Engine.IO-over-WebSocket client on a plain TCP socket, for what a real client library
 * cannot do: stop reading from the socket (so the kernel buffers fill and the server must hold or
 * drop what it sends), answer heartbeats blindly, and send thousands of events in one write
 * without keeping their answers. Frames are parsed by hand: the server's are unmasked, ours masked.
 */
export class RawWebSocket {
  private buffered = Buffer.alloc(0);
  /** Chunks not yet joined, while a frame known to need `needed` bytes is incomplete (no quadratic copying of big frames). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private needed = 0;
  private upgraded = false;
  private closeReason: string | undefined;
  private readonly closeWaiters: Array<() => void> = [];
  private readonly messageWaiters: Array<{ match: (text: string) => boolean; resolve: (text: string | undefined) => void }> = [];
  private pongTimer: NodeJS.Timeout | undefined;
  /** Payload bytes of every frame received after the upgrade. */
  bytesReceived = 0;
  /** Engine.IO pings are answered as they arrive (when reading). */
  answerPings = true;
  /** Called with every Engine.IO message (a text frame) as it arrives. */
  onMessage: ((text: string) => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.closed(`error: ${err.message}`));
    socket.on('end', () => this.closed('the server ended the connection'));
    socket.on('close', () => this.closed('closed'));
  }

  /** Opens a WebSocket straight away (TRN-2) and waits for Engine.IO's open packet. */
  static async open(baseUrl: string, path: string, timeoutMs = 5_000): Promise<RawWebSocket> {
    const url = new URL(baseUrl);
    const socket = tcpConnect({ host: url.hostname, port: Number(url.port || 80) });
    const ws = new RawWebSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const key = randomBytes(16).toString('base64');
    socket.write(
      `GET ${path.replace(/\/$/, '')}/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const open = await ws.nextMessage((t) => t.startsWith('0'), timeoutMs);
    if (open === undefined) {
      ws.destroy();
      throw new Error(`no Engine.IO open packet over a raw WebSocket (${ws.closeReason ?? 'timeout'})`);
    }
    return ws;
  }

  /** Connects to "/" with the token; resolves with the server's answer (a CONNECT or CONNECT_ERROR packet). */
  async connect(token: string, timeoutMs = 5_000): Promise<string | undefined> {
    this.send(`40${JSON.stringify({ token })}`);
    return this.nextMessage((t) => t.startsWith('40') || t.startsWith('44'), timeoutMs);
  }

  get isOpen(): boolean {
    return this.closeReason === undefined;
  }

  get closedReason(): string | undefined {
    return this.closeReason;
  }

  /** Sends one Engine.IO message (a masked text frame). */
  send(text: string): boolean {
    return this.sendMany([text]);
  }

  /** Sends several Engine.IO messages in one write; false when the connection is known closed. */
  sendMany(texts: string[]): boolean {
    if (!this.isOpen) return false;
    this.socket.write(Buffer.concat(texts.map((t) => maskedTextFrame(Buffer.from(t)))));
    return true;
  }

  /** Stops reading: what the server sends piles up in the kernel's buffers, then in the server. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Sends Engine.IO pongs on a timer without reading any ping: the server's heartbeat stays content. */
  blindPongs(everyMs: number): void {
    this.stopPongs();
    this.pongTimer = setInterval(() => this.send('3'), everyMs);
  }

  stopPongs(): void {
    clearInterval(this.pongTimer);
    this.pongTimer = undefined;
  }

  /** Resolves true once the connection is closed, false after the timeout. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    if (!this.isOpen) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  destroy(): void {
    this.stopPongs();
    this.socket.destroy();
    this.closed('closed by the harness');
  }

  private nextMessage(match: (text: string) => boolean, timeoutMs: number): Promise<string | undefined> {
    return new Promise((resolve) => {
      const waiter = {
        match,
        resolve: (text: string | undefined) => {
          clearTimeout(timer);
          resolve(text);
        },
      };
      const timer = setTimeout(() => {
        const i = this.messageWaiters.indexOf(waiter);
        if (i >= 0) this.messageWaiters.splice(i, 1);
        resolve(undefined);
      }, timeoutMs);
      this.messageWaiters.push(waiter);
    });
  }

  private closed(reason: string): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    this.stopPongs();
    for (const w of this.closeWaiters.splice(0)) w();
    for (const w of this.messageWaiters.splice(0)) w.resolve(undefined);
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.buffered.length + this.pendingBytes < this.needed) return;
    this.buffered = Buffer.concat([this.buffered, ...this.pending]);
    this.pending = [];
    this.pendingBytes = 0;
    this.needed = 0;
    if (!this.upgraded) {
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buffered.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 101')) {
        this.closed(`upgrade refused: ${head.split('\r\n')[0]}`);
        this.socket.destroy();
        return;
      }
      this.upgraded = true;
      this.buffered = this.buffered.subarray(end + 4);
    }
    for (;;) {
      const frame = readFrame(this.buffered);
      if (!frame) return;
      if ('needed' in frame) {
        this.needed = frame.needed;
        return;
      }
      this.buffered = this.buffered.subarray(frame.length);
      this.bytesReceived += frame.payload.length;
      if (frame.opcode === 8) {
        this.closed('the server sent a close frame');
        this.socket.destroy();
        return;
      }
      if (frame.opcode !== 1) continue;
      const text = frame.payload.toString();
      if (text === '2' && this.answerPings) this.send('3');
      this.onMessage?.(text);
      const i = this.messageWaiters.findIndex((w) => w.match(text));
      if (i >= 0) this.messageWaiters.splice(i, 1)[0]!.resolve(text);
    }
  }
}

/** One unfragmented frame from the server (unmasked), or undefined while incomplete. */
function readFrame(buf: Buffer): { opcode: number; payload: Buffer; length: number } | { needed: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0]! & 0x0f;
  let len = buf[1]! & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  if (buf.length < offset + len) return { needed: offset + len };
  return { opcode, payload: buf.subarray(offset, offset + len), length: offset + len };
}

/** A client's text frame: FIN, masked (RFC 6455 5.3). */
function maskedTextFrame(payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x81;
  if (len < 126) head[1] = 0x80 | len;
  else if (len < 65_536) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, mask, body]);
}
