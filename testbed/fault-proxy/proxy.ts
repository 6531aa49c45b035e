import net from 'node:net';
import { formatHostPort, parseHostPort, type HostPort } from './address.ts';
import { ApiError, toxicAlreadyExists, toxicNotFound } from './errors.ts';
import { Link } from './link.ts';
import type { ToxicSpec } from './toxic-spec.ts';

/** A proxy's settable fields, as in Toxiproxy's JSON. */
export interface ProxySettings {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

export interface ProxyJson extends ProxySettings {
  toxics: ToxicSpec[];
}

/** Checks a host:port field, answering 400 with the field named. */
export function requireHostPort(field: string, text: string): HostPort {
  const parsed = parseHostPort(text);
  if (typeof parsed === 'string') throw new ApiError(`bad request body: ${field}: ${parsed}`, 400);
  return parsed;
}

// How many accept times a proxy keeps: minutes of a client reconnecting every few milliseconds.
const ACCEPTS_KEPT = 10_000;

/**
 * One named TCP listener forwarding each accepted connection to `upstream` through its toxics.
 * Disabled means not listening, with every live connection cut.
 */
export class FaultProxy {
  readonly name: string;
  listen: string;
  upstream: string;
  private server: net.Server | null = null;
  private readonly links = new Set<Link>();
  private readonly dialing = new Set<net.Socket>();
  private toxics: ToxicSpec[] = [];
  private readonly acceptedAt: number[] = [];

  constructor(settings: Omit<ProxySettings, 'enabled'>) {
    this.name = settings.name;
    this.listen = settings.listen;
    this.upstream = settings.upstream;
  }

  get enabled(): boolean {
    return this.server !== null;
  }

  get connectionCount(): number {
    return this.links.size;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const { host, port } = requireHostPort('listen', this.listen);
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: host || undefined, port }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: Error) => {
      throw new ApiError(`listen tcp ${this.listen}: ${err.message}`, 500);
    });
    const address = server.address() as net.AddressInfo;
    // Report the real port, so "127.0.0.1:0" comes back usable, as in Toxiproxy.
    this.listen = formatHostPort(host === '' ? '::' : address.address, address.port);
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.dialing) socket.destroy();
    for (const link of this.links) link.destroy();
    await closed;
  }

  /** Applies new settings like Toxiproxy: a changed address restarts the listener; `enabled` starts or stops it. */
  async update(next: Omit<ProxySettings, 'name'>): Promise<void> {
    requireHostPort('upstream', next.upstream);
    if (next.listen !== this.listen || next.upstream !== this.upstream) {
      requireHostPort('listen', next.listen);
      await this.stop();
      this.listen = next.listen;
      this.upstream = next.upstream;
    }
    if (next.enabled) await this.start();
    else await this.stop();
  }

  /**
   * When each connection was accepted (ms since the epoch, sub-millisecond), oldest first, the last
   * ACCEPTS_KEPT: a sockproof extension, so a harness sees the attempts of a client that a toxic turns away.
   */
  listAccepted(): number[] {
    return [...this.acceptedAt];
  }

  listToxics(): ToxicSpec[] {
    // Toxiproxy lists the upstream chain first, then the downstream one.
    return [...this.toxics.filter((t) => t.stream === 'upstream'), ...this.toxics.filter((t) => t.stream === 'downstream')];
  }

  getToxic(name: string): ToxicSpec {
    const toxic = this.toxics.find((t) => t.name === name);
    if (!toxic) throw toxicNotFound();
    return toxic;
  }

  addToxic(spec: ToxicSpec): ToxicSpec {
    if (this.toxics.some((t) => t.name === spec.name)) throw toxicAlreadyExists();
    this.toxics.push(spec);
    for (const link of this.links) link.addToxic(spec);
    return spec;
  }

  updateToxic(spec: ToxicSpec): ToxicSpec {
    const index = this.toxics.findIndex((t) => t.name === spec.name);
    if (index < 0) throw toxicNotFound();
    this.toxics[index] = spec;
    for (const link of this.links) link.updateToxic(spec);
    return spec;
  }

  removeToxic(name: string): void {
    const spec = this.getToxic(name);
    this.toxics = this.toxics.filter((t) => t !== spec);
    for (const link of this.links) link.removeToxic(spec);
  }

  removeAllToxics(): void {
    for (const spec of this.listToxics()) this.removeToxic(spec.name);
  }

  toJSON(): ProxyJson {
    return { name: this.name, listen: this.listen, upstream: this.upstream, enabled: this.enabled, toxics: this.listToxics() };
  }

  private accept(client: net.Socket): void {
    this.acceptedAt.push(performance.timeOrigin + performance.now());
    if (this.acceptedAt.length > ACCEPTS_KEPT) this.acceptedAt.shift();
    client.on('error', () => {});
    const target = parseHostPort(this.upstream);
    if (typeof target === 'string') return void client.destroy();
    // Dial before linking, as Toxiproxy does: an unreachable upstream closes the client straight away.
    const upstream = net.connect({ host: target.host || 'localhost', port: target.port, allowHalfOpen: true });
    this.dialing.add(upstream);
    let linked = false;
    upstream.on('error', () => {});
    // Refused, failed or cut by stop() before connecting: the client goes too.
    upstream.once('close', () => {
      this.dialing.delete(upstream);
      if (!linked) client.destroy();
    });
    upstream.once('connect', () => {
      this.dialing.delete(upstream);
      if (!this.server || client.destroyed) {
        upstream.destroy();
        return;
      }
      linked = true;
      this.links.add(new Link(client, upstream, this.toxics, (link) => this.links.delete(link)));
      client.resume();
    });
  }
}
