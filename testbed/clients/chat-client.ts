import { io, type Socket } from 'socket.io-client';
import {
  mintToken,
  type Ack,
  type AckData,
  type ClientEventName,
  type ClientToServerEvents,
  type PayloadIn,
  type Role,
  type ServerToClientEvents,
} from '../../spec/index.ts';
import { ArrivalQueue } from './arrival-queue.ts';

export type TypedSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Received {
  event: string;
  args: unknown[];
}

/**
 * A test client over a real socket. Every server event is queued as it arrives (ArrivalQueue), so a
 * test that awaits one event never loses another that came in the same read.
 */
export class ChatClient {
  private readonly arrivals = new ArrivalQueue<Received>();

  private constructor(readonly socket: TypedSocket) {
    socket.onAny((event: string, ...args: unknown[]) => this.arrivals.push({ event, args }));
    socket.on('disconnect', () => this.arrivals.push({ event: 'disconnect', args: [] }));
  }

  static async connect(url: string, token: string | undefined, opts: { transports?: ('websocket' | 'polling')[] } = {}): Promise<ChatClient> {
    const socket: TypedSocket = io(url, {
      auth: token === undefined ? {} : { token },
      transports: opts.transports ?? ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 10_000,
    });
    const client = new ChatClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });
    return client;
  }

  /** Emits a client event and resolves with its ack (ACK-1), failing after `timeoutMs`. */
  call<E extends ClientEventName>(event: E, payload: PayloadIn<E>, timeoutMs = 10_000): Promise<Ack<AckData<E>>> {
    return this.raw(event, payload, timeoutMs) as Promise<Ack<AckData<E>>>;
  }

  /** Emits anything (bad payloads, unknown events) and resolves with whatever ack comes back. */
  raw(event: string, payload: unknown, timeoutMs = 10_000): Promise<unknown> {
    return (this.socket as unknown as Socket).timeout(timeoutMs).emitWithAck(event, payload);
  }

  /** Resolves with the next queued event of that name (removing it), waiting up to `timeoutMs`. */
  async next(event: string, timeoutMs = 10_000, match: (payload: unknown) => boolean = () => true): Promise<unknown> {
    const got = await this.arrivals.take((r) => r.event === event && match(r.args[0]), timeoutMs);
    if (got === undefined) {
      const queued = this.arrivals.peek(() => true).map((r) => r.event);
      throw new Error(`no "${event}" within ${timeoutMs} ms (queued: ${queued.join(', ') || 'nothing'})`);
    }
    return got.args[0];
  }

  /** Events of that name received so far (without removing them). */
  seen(event: string): unknown[] {
    return this.arrivals.peek((r) => r.event === event).map((r) => r.args[0]);
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** Mints a token for the server and connects a user. */
export async function connectUser(
  server: { url: string; secret: string },
  sub: string,
  roles: Role[] = ['member'],
  opts: { name?: string; transports?: ('websocket' | 'polling')[] } = {},
): Promise<ChatClient> {
  const token = await mintToken(server.secret, { sub, roles, name: opts.name });
  return ChatClient.connect(server.url, token, opts);
}

/** Resolves with a refused handshake's `connect_error` (err.message and err.data). */
export function connectError(url: string, auth: Record<string, unknown>): Promise<{ message: string; data: unknown }> {
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 10_000 });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.disconnect();
      reject(new Error('handshake was accepted'));
    });
    socket.once('connect_error', (err: Error & { data?: unknown }) => {
      socket.disconnect();
      resolve({ message: err.message, data: err.data });
    });
  });
}
