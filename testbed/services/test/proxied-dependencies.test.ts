import { createServer, connect, type Server } from 'node:net';
import { once } from 'node:events';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxyServer } from '../../fault-proxy/server.ts';
import { DependencyStartError, ProxiedDependencies } from '../proxied-dependencies.ts';

/** Connects through the proxy and says whether a byte sent comes back (the upstream echoes). */
async function echoes(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await Promise.race([once(socket, 'connect'), once(socket, 'error').then(() => Promise.reject(new Error('refused')))]);
    socket.write('x');
    const [data] = (await Promise.race([once(socket, 'data'), new Promise((r) => setTimeout(() => r([undefined]), 1_000))])) as [Buffer | undefined];
    return data?.toString() === 'x';
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

// Staging: the dependencies' proxies already stand in a Toxiproxy (here ours, over its HTTP API); the run finds them by name.
describe('ProxiedDependencies.attach: proxies named in the Toxiproxy at TOXIPROXY_URL', () => {
  let proxyServer: FaultProxyServer;
  let upstream: Server;
  let listenPort: number;
  beforeAll(async () => {
    upstream = createServer((s) => s.pipe(s)).listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    proxyServer = await startFaultProxy({ host: '127.0.0.1', port: 0 });
    const port = (upstream.address() as { port: number }).port;
    const proxy = await new Toxiproxy(proxyServer.url).createProxy({ name: 'staging-redis', listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}` });
    listenPort = Number(proxy.listen.split(':').at(-1));
  });
  afterAll(async () => {
    await proxyServer?.close();
    upstream?.close();
  });

  it('cuts, slows and heals the named proxy, and leaves it in place when stopped', async () => {
    const deps = await ProxiedDependencies.attach({ redis: 'staging-redis' }, { TOXIPROXY_URL: proxyServer.url });
    expect(deps.names).toEqual(['redis']);
    expect(await echoes(listenPort)).toBe(true);
    await deps.cut('redis');
    expect(await echoes(listenPort)).toBe(false);
    await deps.healAll();
    expect(await echoes(listenPort)).toBe(true);
    await deps.addToxic('redis', { type: 'timeout', attributes: { timeout: 0 } });
    expect(await echoes(listenPort)).toBe(false);
    await deps.stop();
    expect(await echoes(listenPort)).toBe(true);
    expect(await (await fetch(`${proxyServer.url}/proxies/staging-redis/toxics`)).json()).toEqual([]);
  });

  it('stalls the named proxy (connections accepted and held, nothing answered) until heal removes the stall', async () => {
    const deps = await ProxiedDependencies.attach({ redis: 'staging-redis' }, { TOXIPROXY_URL: proxyServer.url });
    const held = connect(listenPort, '127.0.0.1');
    await once(held, 'connect');
    await deps.stall('redis');
    const heldClosed = once(held, 'close');
    held.on('error', () => {});
    held.write('x');
    // A new connection is accepted (a hang, not a refusal) and gets nothing back.
    const fresh = connect(listenPort, '127.0.0.1');
    fresh.on('error', () => {});
    await once(fresh, 'connect');
    fresh.write('x');
    const answered = await Promise.race([once(fresh, 'data').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 500))]);
    expect(answered).toBe(false);
    fresh.destroy();
    expect(((await (await fetch(`${proxyServer.url}/proxies/staging-redis/toxics`)).json()) as Array<{ type: string }>).map((t) => t.type)).toEqual(['timeout', 'timeout']);
    await deps.heal('redis');
    await heldClosed; // the connection the stall held is closed, as Toxiproxy does
    expect(await echoes(listenPort)).toBe(true);
    expect(await (await fetch(`${proxyServer.url}/proxies/staging-redis/toxics`)).json()).toEqual([]);
    await deps.stop();
  });

  it('turns connections away with the listener open, lists the attempts it accepted, and heals back to the real upstream', async () => {
    const deps = await ProxiedDependencies.attach({ redis: 'staging-redis' }, { TOXIPROXY_URL: proxyServer.url });
    const live = connect(listenPort, '127.0.0.1');
    live.on('error', () => {});
    await once(live, 'connect');
    const liveClosed = once(live, 'close');
    const since = performance.timeOrigin + performance.now();
    await deps.turnAway('redis');
    await liveClosed; // the live connection is cut
    for (let i = 0; i < 3; i++) {
      // Each attempt is accepted (not refused) and closed at once, without an answer.
      const attempt = connect(listenPort, '127.0.0.1');
      attempt.on('error', () => {});
      await once(attempt, 'connect');
      await once(attempt, 'close');
    }
    expect(await deps.acceptedSince('redis', since)).toHaveLength(3);
    await deps.heal('redis');
    expect(await echoes(listenPort)).toBe(true);
    expect(await deps.acceptedSince('redis', since)).toHaveLength(4);
    await deps.stop();
  });

  it('refuses without TOXIPROXY_URL, and names a proxy that is not there', async () => {
    await expect(ProxiedDependencies.attach({ redis: 'staging-redis' }, {})).rejects.toThrow(/TOXIPROXY_URL/);
    const missing = ProxiedDependencies.attach({ postgres: 'no-such-proxy' }, { TOXIPROXY_URL: proxyServer.url });
    await expect(missing).rejects.toBeInstanceOf(DependencyStartError);
    await expect(missing).rejects.toThrow(/no proxy "no-such-proxy" \(postgres\)/);
  });
});
