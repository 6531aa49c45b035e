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

export type TypedSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Received {
  event: string;
  args: unknown[];
}

/**
 * A test client over a real socket. Every server event is queued as it arrives, so a test that
 * awaits one event never loses another that came in the same read.
 */
export class ChatClient {
  private readonly queue: Received[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: TypedSocket) {
    socket.onAny((event: string, ...args: unknown[]) => {
      this.queue.push({ event, args });
      for (const wake of this.waiters) wake();
    });
    socket.on('disconnect', () => {
      this.queue.push({ event: 'disconnect', args: [] });
      for (const wake of this.waiters) wake();
    });
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
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.queue.findIndex((r) => r.event === event && match(r.args[0]));
      if (i >= 0) return this.queue.splice(i, 1)[0]!.args[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${event}" within ${timeoutMs} ms (queued: ${this.queue.map((r) => r.event).join(', ') || 'nothing'})`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** Events of that name received so far (without removing them). */
  seen(event: string): unknown[] {
    return this.queue.filter((r) => r.event === event).map((r) => r.args[0]);
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
