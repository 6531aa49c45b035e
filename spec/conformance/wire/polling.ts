import type { EvidenceRecorder } from './evidence.ts';

/**
 * A raw Engine.IO 4 long-polling session over fetch, for protocol checks that must do what no
 * client library does: stay silent on a ping, never connect to a namespace, post an oversized body.
 */
const SEPARATOR = '\x1e';
const TYPES: Record<string, string> = { '0': 'open', '1': 'close', '2': 'ping', '3': 'pong', '4': 'message', '5': 'upgrade', '6': 'noop' };

export interface OpenPacket {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
}

export type PollResult = { kind: 'packets'; status: number; packets: string[] } | { kind: 'error'; status: number; body: string } | { kind: 'timeout' };

export function decodePayload(body: string): string[] {
  return body.length === 0 ? [] : body.split(SEPARATOR);
}

export function parseOpen(packet: string | undefined): OpenPacket | undefined {
  if (!packet?.startsWith('0')) return undefined;
  try {
    const o = JSON.parse(packet.slice(1)) as Partial<OpenPacket>;
    if (typeof o.sid !== 'string' || typeof o.pingInterval !== 'number' || typeof o.pingTimeout !== 'number') return undefined;
    return { sid: o.sid, upgrades: o.upgrades ?? [], pingInterval: o.pingInterval, pingTimeout: o.pingTimeout, maxPayload: o.maxPayload ?? -1 };
  } catch {
    return undefined;
  }
}

export class PollingSession {
  private constructor(
    private readonly endpoint: string,
    readonly open: OpenPacket,
    readonly openedAt: number,
    private readonly recorder: EvidenceRecorder,
    readonly label: string,
  ) {}

  /** GET ?EIO=4&transport=polling; undefined when the target did not answer with an open packet. */
  static async handshake(baseUrl: string, path: string, recorder: EvidenceRecorder, label: string, eio = 4): Promise<{ session?: PollingSession; status: number; body: string }> {
    const endpoint = new URL(path.endsWith('/') ? path : `${path}/`, baseUrl).toString();
    const url = `${endpoint}?EIO=${eio}&transport=polling`;
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const body = await res.text();
    recorder.add({ kind: 'http', method: 'GET', url, status: res.status, responseBody: body, durationMs: 0 });
    const open = res.status === 200 ? parseOpen(decodePayload(body)[0]) : undefined;
    if (!open) return { status: res.status, body };
    recorder.add({ kind: 'frame', conn: label, dir: 'in', type: 'eio:open', data: open });
    return { session: new PollingSession(endpoint, open, recorder.now(), recorder, label), status: res.status, body };
  }

  private url(): string {
    return `${this.endpoint}?EIO=4&transport=polling&sid=${encodeURIComponent(this.open.sid)}&t=${Date.now().toString(36)}`;
  }

  /** POSTs packets (already encoded, e.g. "40{...}" for a namespace CONNECT, "3" for pong). */
  async post(packets: string[], note?: string): Promise<{ status: number; body: string }> {
    for (const p of packets) this.recorder.add({ kind: 'frame', conn: this.label, dir: 'out', type: `eio:${TYPES[p[0] ?? ''] ?? '?'}`, data: p.slice(1) });
    if (note) this.recorder.note(note);
    try {
      const res = await fetch(this.url(), { method: 'POST', body: packets.join(SEPARATOR), headers: { 'content-type': 'text/plain;charset=UTF-8' }, signal: AbortSignal.timeout(10_000) });
      const body = await res.text();
      this.recorder.add({ kind: 'http', method: 'POST', url: this.url(), status: res.status, responseBody: body, durationMs: 0 });
      return { status: res.status, body };
    } catch (err) {
      this.recorder.note(`${this.label}: POST failed: ${(err as Error).message}`);
      return { status: 0, body: '' };
    }
  }

  /** One long-poll GET, bounded by timeoutMs. */
  async poll(timeoutMs: number): Promise<PollResult> {
    try {
      const res = await fetch(this.url(), { signal: AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs))) });
      const body = await res.text();
      if (res.status !== 200) {
        this.recorder.add({ kind: 'http', method: 'GET', url: this.url(), status: res.status, responseBody: body, durationMs: 0 });
        return { kind: 'error', status: res.status, body };
      }
      const packets = decodePayload(body);
      for (const p of packets) this.recorder.add({ kind: 'frame', conn: this.label, dir: 'in', type: `eio:${TYPES[p[0] ?? ''] ?? '?'}`, data: p.slice(1) });
      return { kind: 'packets', status: res.status, packets };
    } catch (err) {
      if ((err as Error).name !== 'TimeoutError') this.recorder.note(`${this.label}: GET failed: ${(err as Error).message}`);
      return { kind: 'timeout' };
    }
  }
}
