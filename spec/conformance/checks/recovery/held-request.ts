import { connect, type Socket } from 'node:net';

/** What came back on a held request: the status and JSON body, or why nothing did. */
export type HeldAnswer = { kind: 'answered'; status: number; body: unknown; raw: string } | { kind: 'none'; why: string };

/**
 * An HTTP GET begun on a connection of its own and held before its last header line, so the
 * connection is already open, and busy, when the target starts to drain (HLTH-3: requests on
 * connections already open are answered until the process exits; a server that closes its listener
 * and its idle connections at the signal still answers this one). `finish` sends the rest and reads
 * the answer.
 */
export class HeldRequest {
  private data = '';
  private ended: string | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (this.data += chunk));
    socket.on('close', () => (this.ended ??= 'connection closed'));
    socket.on('error', (err) => (this.ended ??= err.message));
  }

  static open(baseUrl: string, path: string): Promise<HeldRequest> {
    const url = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
        socket.off('error', reject);
        socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: application/json\r\n`);
        resolve(new HeldRequest(socket));
      });
      socket.once('error', reject);
    });
  }

  async finish(timeoutMs: number): Promise<HeldAnswer> {
    if (this.ended) return { kind: 'none', why: `${this.ended} before the request was finished` };
    this.socket.write('Connection: close\r\n\r\n');
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline && !this.complete() && !this.ended) await new Promise((r) => setTimeout(r, 20));
    this.socket.destroy();
    const answer = this.parse();
    return answer ?? { kind: 'none', why: this.ended ?? `no answer within ${timeoutMs} ms` };
  }

  close(): void {
    this.socket.destroy();
  }

  private complete(): boolean {
    const head = this.data.indexOf('\r\n\r\n');
    if (head < 0) return false;
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(this.data.slice(0, head));
    return length !== null && Buffer.byteLength(this.data.slice(head + 4)) >= Number(length[1]);
  }

  private parse(): HeldAnswer | undefined {
    const head = this.data.indexOf('\r\n\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(this.data);
    if (head < 0 || !status) return undefined;
    const text = this.data.slice(head + 4);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: kept as text */
    }
    return { kind: 'answered', status: Number(status[1]), body, raw: this.data.slice(0, 300) };
  }
}
