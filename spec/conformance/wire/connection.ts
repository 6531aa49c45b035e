import { setTimeout as sleep } from 'node:timers/promises';
import { Socket as EngineSocket } from 'engine.io-client';
import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import { ArrivalQueue, type Match } from '../../../testbed/clients/arrival-queue.ts';
import type { EvidenceRecorder } from './evidence.ts';

/**
 * The harness's own Socket.IO client: Engine.IO from engine.io-client, Socket.IO packets from
 * socket.io-parser, and everything else here, so that every frame is seen, recorded as evidence
 * and queued. Nothing is retried, reconnected or hidden: a check sees exactly what the target sent.
 */

export type TransportName = 'polling' | 'websocket';

/** A Socket.IO packet as it arrived, with the time it arrived (ms since the check started). */
export interface Arrival {
  t: number;
  type: keyof typeof PacketType;
  nsp: string;
  id: number | undefined;
  /** For EVENT: the event name. */
  event: string | undefined;
  /** For EVENT: the arguments after the name; for ACK: the ack arguments; else the packet data. */
  args: unknown[];
  data: unknown;
}

export type ConnectOutcome =
  | { kind: 'connected'; sid: string; /** Socket.IO's private session id, present when the target offers connection state recovery. */ pid: string | undefined; ms: number }
  | { kind: 'refused'; message: string; data: unknown; ms: number }
  | { kind: 'closed'; reason: string; ms: number }
  | { kind: 'timeout'; ms: number };

export type AckOutcome =
  | { kind: 'ack'; args: unknown[]; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'closed'; reason: string; ms: number };

export interface HandshakeInfo {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
}

export interface WireOptions {
  /** Base URL of the target, e.g. http://127.0.0.1:8765 */
  url: string;
  /** A name for this connection in the evidence, e.g. "alice" or "alice#2". */
  label: string;
  recorder: EvidenceRecorder;
  path?: string;
  transports?: TransportName[];
  /** Upgrade polling to WebSocket when offered (default: false, so a check knows its transport). */
  upgrade?: boolean;
  extraHeaders?: Record<string, string>;
}

const ENGINE_OPEN_TIMEOUT_MS = 5_000;

export class WireConnection {
  readonly label: string;
  private readonly recorder: EvidenceRecorder;
  private readonly engine: EngineSocket;
  private readonly encoder = new Encoder();
  private readonly decoder = new Decoder();
  private readonly arrivals = new ArrivalQueue<Arrival>();
  private nextAckId = 0;
  private closeReason: string | undefined;
  private closedAt: number | undefined;
  private readonly closedWaiters: Array<() => void> = [];
  /** Ack ids answered so far, with how many times each was answered (ACK-1: exactly once). */
  readonly ackCounts = new Map<number, number>();
  handshake: HandshakeInfo | undefined;
  private readonly connectedNsps = new Set<string>();

  private constructor(opts: WireOptions) {
    this.label = opts.label;
    this.recorder = opts.recorder;
    this.engine = new EngineSocket(opts.url, {
      path: opts.path ?? '/socket.io/',
      transports: opts.transports ?? ['websocket'],
      upgrade: opts.upgrade ?? false,
      extraHeaders: opts.extraHeaders,
      rememberUpgrade: false,
    });
    this.engine.on('handshake', (data) => {
      this.handshake = {
        sid: data.sid,
        upgrades: data.upgrades,
        pingInterval: data.pingInterval,
        pingTimeout: data.pingTimeout,
        maxPayload: data.maxPayload,
      };
      this.recorder.add({ kind: 'frame', conn: this.label, dir: 'in', type: 'eio:open', data });
    });
    this.engine.on('upgrade', (transport) => {
      this.recorder.add({ kind: 'frame', conn: this.label, dir: 'in', type: 'eio:upgrade', data: transport.name });
    });
    this.engine.on('message', (data) => {
      try {
        this.decoder.add(data);
      } catch (err) {
        this.recorder.note(`${this.label}: undecodable frame from target: ${(err as Error).message}`);
        this.recorder.add({ kind: 'frame', conn: this.label, dir: 'in', type: 'undecodable', data: String(data) });
      }
    });
    this.decoder.on('decoded', (packet: Packet) => this.onPacket(packet));
    this.engine.on('close', (reason, description) => {
      if (this.closeReason !== undefined) return;
      const detail = description instanceof Error ? `: ${description.message}` : '';
      this.closeReason = `${reason}${detail}`;
      this.closedAt = this.recorder.now();
      this.recorder.add({ kind: 'frame', conn: this.label, dir: 'in', type: 'eio:close', data: this.closeReason });
      this.decoder.destroy();
      this.arrivals.end();
      for (const w of this.closedWaiters.splice(0)) w();
    });
    this.engine.on('error', () => {
      /* reported through close */
    });
  }

  /** Opens an Engine.IO session; resolves once it is open or closed (never rejects). */
  static async open(opts: WireOptions): Promise<WireConnection> {
    const conn = new WireConnection(opts);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        conn.recorder.note(`${conn.label}: Engine.IO session not open after ${ENGINE_OPEN_TIMEOUT_MS} ms`);
        conn.close();
        resolve();
      }, ENGINE_OPEN_TIMEOUT_MS);
      conn.engine.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      conn.closedWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return conn;
  }

  private onPacket(packet: Packet): void {
    const type = PacketType[packet.type] as keyof typeof PacketType;
    const data: unknown = packet.data;
    let event: string | undefined;
    let args: unknown[] = [];
    if ((packet.type === PacketType.EVENT || packet.type === PacketType.BINARY_EVENT) && Array.isArray(data)) {
      event = typeof data[0] === 'string' ? data[0] : undefined;
      args = data.slice(1);
    } else if ((packet.type === PacketType.ACK || packet.type === PacketType.BINARY_ACK) && Array.isArray(data)) {
      args = data;
      if (packet.id !== undefined) this.ackCounts.set(packet.id, (this.ackCounts.get(packet.id) ?? 0) + 1);
    }
    const arrival: Arrival = { t: this.recorder.now(), type, nsp: packet.nsp, id: packet.id, event, args, data };
    this.recorder.add({
      kind: 'frame',
      conn: this.label,
      dir: 'in',
      type: packet.id !== undefined ? `${type}#${packet.id}` : type,
      ...(event !== undefined ? { event, data: args.length === 1 ? args[0] : args } : { data }),
    });
    this.arrivals.push(arrival);
  }

  get isOpen(): boolean {
    return this.closeReason === undefined;
  }

  get closedReason(): string | undefined {
    return this.closeReason;
  }

  /** The session's state in words, for an expectation's "actual" at the step that waited on it. */
  get closeState(): string {
    return this.isOpen ? 'still open' : `closed (${this.closeReason})`;
  }

  get closedAtMs(): number | undefined {
    return this.closedAt;
  }

  get transportName(): string | undefined {
    return this.engine.transport?.name;
  }

  /** Sends a Socket.IO packet as is (the harness can send what no library client would). */
  sendPacket(packet: Packet, note?: string): void {
    if (!this.isOpen) return;
    const type = PacketType[packet.type] as string;
    const data = packet.data;
    const event = packet.type === PacketType.EVENT && Array.isArray(data) && typeof data[0] === 'string' ? data[0] : undefined;
    this.recorder.add({
      kind: 'frame',
      conn: this.label,
      dir: 'out',
      type: packet.id !== undefined ? `${type}#${packet.id}` : type,
      ...(event !== undefined ? { event, data: Array.isArray(data) ? data.slice(1) : data } : { data }),
    });
    if (note) this.recorder.note(note);
    for (const encoded of this.encoder.encode(packet)) this.engine.send(encoded as string);
  }

  /** Sends an Engine.IO message whose text is not necessarily a valid Socket.IO packet. */
  sendRawMessage(text: string): void {
    if (!this.isOpen) return;
    this.recorder.add({ kind: 'frame', conn: this.label, dir: 'out', type: 'raw', data: text });
    this.engine.send(text);
  }

  /** Connects to a namespace (default "/") with an auth object; resolves with what the target answered. */
  async connect(auth: Record<string, unknown> | undefined, opts: { nsp?: string; timeoutMs?: number } = {}): Promise<ConnectOutcome> {
    const nsp = opts.nsp ?? '/';
    const start = this.recorder.now();
    const ms = () => Math.round(this.recorder.now() - start);
    if (!this.isOpen) return { kind: 'closed', reason: this.closeReason ?? 'closed', ms: 0 };
    this.sendPacket({ type: PacketType.CONNECT, nsp, ...(auth !== undefined ? { data: auth } : {}) });
    const got = await this.arrivals.take(
      (a) => a.nsp === nsp && (a.type === 'CONNECT' || a.type === 'CONNECT_ERROR'),
      opts.timeoutMs ?? 5_000,
    );
    if (!got) return this.isOpen ? { kind: 'timeout', ms: ms() } : { kind: 'closed', reason: this.closeReason ?? 'closed', ms: ms() };
    if (got.type === 'CONNECT') {
      this.connectedNsps.add(nsp);
      const { sid, pid } = (got.data ?? {}) as { sid?: unknown; pid?: unknown };
      return { kind: 'connected', sid: typeof sid === 'string' ? sid : '', pid: typeof pid === 'string' ? pid : undefined, ms: ms() };
    }
    // Socket.IO sends a middleware error as {message, data}: `data` is what the client library hands over as err.data.
    const packet = got.data as { message?: unknown; data?: unknown } | undefined;
    return { kind: 'refused', message: typeof packet?.message === 'string' ? packet.message : '', data: packet?.data, ms: ms() };
  }

  /** Emits an event with an acknowledgement callback and waits for the ack. */
  async request(event: string, args: unknown[], timeoutMs = 5_000, nsp = '/'): Promise<AckOutcome> {
    const id = this.nextAckId++;
    const start = this.recorder.now();
    const ms = () => Math.round(this.recorder.now() - start);
    if (!this.isOpen) return { kind: 'closed', reason: this.closeReason ?? 'closed', ms: 0 };
    this.sendPacket({ type: PacketType.EVENT, nsp, id, data: [event, ...args] });
    const got = await this.arrivals.take((a) => a.type === 'ACK' && a.id === id && a.nsp === nsp, timeoutMs);
    if (got) return { kind: 'ack', args: got.args, ms: ms() };
    return this.isOpen ? { kind: 'timeout', ms: ms() } : { kind: 'closed', reason: this.closeReason ?? 'closed', ms: ms() };
  }

  /** Emits an event without an acknowledgement callback. */
  emit(event: string, args: unknown[], nsp = '/'): void {
    this.sendPacket({ type: PacketType.EVENT, nsp, data: [event, ...args] });
  }

  /** Takes the first queued (or next arriving) event of that name whose first argument matches. */
  async nextEvent(event: string, timeoutMs: number, where: Match<unknown> = () => true): Promise<Arrival | undefined> {
    return this.arrivals.take((a) => a.type === 'EVENT' && a.event === event && where(a.args[0]), timeoutMs);
  }

  /** Waits windowMs and returns every event of that name that arrived (queued ones included). */
  async eventsWithin(event: string, windowMs: number, where: Match<unknown> = () => true): Promise<Arrival[]> {
    await sleep(windowMs);
    return this.arrivals.drain((a) => a.type === 'EVENT' && a.event === event && where(a.args[0]));
  }

  /** Forgets queued events of that name (e.g. presence noise a check does not look at). */
  discard(event: string): void {
    this.arrivals.drain((a) => a.type === 'EVENT' && a.event === event);
  }

  /** Any queued packet of this kind (e.g. DISCONNECT from the server). */
  async nextPacket(type: keyof typeof PacketType, timeoutMs: number): Promise<Arrival | undefined> {
    return this.arrivals.take((a) => a.type === type, timeoutMs);
  }

  /** Resolves when the Engine.IO session closes, or after timeoutMs; true when it closed. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    if (!this.isOpen) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.closedWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Resolves when the session has upgraded to WebSocket, or after timeoutMs; true when it did. */
  async waitUpgraded(timeoutMs: number): Promise<boolean> {
    if (this.transportName === 'websocket') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.engine.once('upgrade', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Closes the session from the client side (a clean Socket.IO DISCONNECT first when connected). */
  close(): void {
    if (!this.isOpen) return;
    for (const nsp of this.connectedNsps) this.sendPacket({ type: PacketType.DISCONNECT, nsp });
    this.closeReason = 'closed by harness';
    this.closedAt = this.recorder.now();
    this.recorder.add({ kind: 'frame', conn: this.label, dir: 'out', type: 'eio:close' });
    this.engine.close();
    this.decoder.destroy();
    this.arrivals.end();
    for (const w of this.closedWaiters.splice(0)) w();
  }
}
