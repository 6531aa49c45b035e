import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../spec/index.ts';
import { handshake } from '../../testing/handshake.ts';
import { setLimits } from '../../testing/admin.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';
import { clientAddress, NO_TRUSTED_PROXY, parseTrustProxy, type TrustProxy } from '../connection/client-address.ts';
import { ConfigError, loadConfig } from '../config.ts';

function trust(raw: string): TrustProxy {
  const t = parseTrustProxy(raw);
  if ('error' in t) throw new Error(t.error);
  return t;
}

const address = fc.oneof(fc.ipV4(), fc.ipV6());
/** What a client may write in X-Forwarded-For before any proxy appends to it: addresses, junk, anything. */
const spoofedPrefix = fc.array(fc.oneof(address, fc.string({ maxLength: 20 }).filter((s) => !s.includes(','))), { maxLength: 5 });

/**
 * A client behind `proxies` (nearest last): each proxy appends the address it saw to the header the
 * client sent, and the node sees the nearest proxy as the socket's peer.
 */
function throughProxies(client: string, proxies: string[], spoofed: string[]): { peer: string; header: string | undefined } {
  const chain = [client, ...proxies];
  const appended = chain.slice(0, -1);
  const header = [...spoofed, ...appended];
  return { peer: chain.at(-1)!, header: header.length > 0 ? header.join(', ') : undefined };
}

describe('the client address behind trusted proxies (NODE-5, pure)', () => {
  it('with N trusted hops, the client is the address the farthest trusted proxy saw, whatever the client wrote before it', () => {
    fc.assert(
      fc.property(address, fc.array(address, { minLength: 1, maxLength: 4 }), spoofedPrefix, (client, proxies, spoofed) => {
        const { peer, header } = throughProxies(client, proxies, spoofed);
        expect(clientAddress(peer, header, { kind: 'hops', hops: proxies.length })).toBe(client.toLowerCase());
      }),
    );
  });

  it('with a list of trusted proxy addresses, the first untrusted address from the right is the client; the spoofed prefix is never read', () => {
    fc.assert(
      fc.property(fc.array(fc.ipV4(), { minLength: 1, maxLength: 3 }), spoofedPrefix, (proxies, spoofed) => {
        const client = '203.0.113.7';
        const { peer, header } = throughProxies(client, proxies.map((_, i) => `10.0.0.${i + 1}`), spoofed);
        expect(clientAddress(peer, header, trust('10.0.0.0/8'))).toBe(client);
      }),
    );
  });

  it('without TRUST_PROXY, or from a peer that is not a trusted proxy, the header is ignored', () => {
    fc.assert(
      fc.property(address, fc.option(fc.string()), (peer, header) => {
        expect(clientAddress(peer, header ?? undefined, NO_TRUSTED_PROXY)).toBe(peer.toLowerCase());
      }),
    );
    fc.assert(
      fc.property(fc.ipV4().filter((a) => !a.startsWith('10.')), spoofedPrefix, (peer, spoofed) => {
        expect(clientAddress(peer, spoofed.join(','), trust('10.0.0.0/8'))).toBe(peer);
      }),
    );
  });

  it('reads socket and header spellings: IPv4-mapped IPv6, ports, brackets, several header lines', () => {
    expect(clientAddress('::ffff:127.0.0.1', '198.51.100.1:4711', trust('127.0.0.1'))).toBe('198.51.100.1');
    expect(clientAddress('::1', '[2001:DB8::1]:443', trust('::1'))).toBe('2001:db8::1');
    expect(clientAddress('10.0.0.1', ['198.51.100.9', '198.51.100.1, 10.0.0.2'], trust('2'))).toBe('198.51.100.1');
    // Fewer entries than trusted hops: the farthest address known.
    expect(clientAddress('10.0.0.1', '198.51.100.1', trust('3'))).toBe('198.51.100.1');
    // A trusted proxy passing on junk: the proxy is the last address known.
    expect(clientAddress('10.0.0.1', 'unknown', trust('1'))).toBe('10.0.0.1');
  });
});

describe('TRUST_PROXY (OPS-1)', () => {
  it.each(['1', '2', '127.0.0.1', '10.0.0.0/8, 192.168.0.0/16,::1', 'fd00::/8'])('accepts %s', (value) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy.kind).not.toBe('none');
  });

  it('is off by default and with 0', () => {
    expect(loadConfig({}).trustProxy).toEqual(NO_TRUSTED_PROXY);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toEqual(NO_TRUSTED_PROXY);
  });

  it.each(['true', 'yes', '33', '10.0.0.0/33', '10.0.0.1/8/8', 'proxy.internal', '-1', ','])('refuses %s with one line naming TRUST_PROXY', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/^TRUST_PROXY must be a hop count 0-32 or a comma list of proxy addresses or CIDRs/);
  });
});

/** A handshake from this process (the peer 127.0.0.1) with an X-Forwarded-For header: 'connected' or the refusal's code. */
async function handshakeVia(server: ServerProcess, user: string, forwardedFor: string | undefined): Promise<string> {
  const token = await mintToken(server.secret, { sub: user });
  const outcome = await handshake(server.url, token, forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor });
  return outcome.kind === 'connected' ? 'connected' : outcome.code;
}

const TWO_PER_MINUTE = { connection: { points: 2, durationMs: 60_000 } };

describe('the per-IP connection limit behind a load balancer, on real sockets (NODE-5, RATE-1)', () => {
  let plain: ServerProcess;
  let behindOneHop: ServerProcess;
  let behindListedProxy: ServerProcess;
  beforeAll(async () => {
    [plain, behindOneHop, behindListedProxy] = await Promise.all([
      startServer(),
      startServer({ env: { TRUST_PROXY: '1', LOG_LEVEL: 'debug' } }),
      startServer({ env: { TRUST_PROXY: '127.0.0.1,::1' } }),
    ]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([plain?.dispose(), behindOneHop?.dispose(), behindListedProxy?.dispose()]);
  });

  it('without TRUST_PROXY a forged header neither dodges the limit nor pushes another address over it', async () => {
    await setLimits(plain, TWO_PER_MINUTE);
    expect(await handshakeVia(plain, 'forger', '198.51.100.1')).toBe('connected');
    expect(await handshakeVia(plain, 'forger', '198.51.100.2')).toBe('connected');
    // Every handshake counted for 127.0.0.1, whatever the header claims.
    expect(await handshakeVia(plain, 'forger', '198.51.100.3')).toBe('RATE_LIMITED');
    expect(await handshakeVia(plain, 'forger', undefined)).toBe('RATE_LIMITED');
  });

  for (const [name, server] of [['TRUST_PROXY=1', () => behindOneHop], ['TRUST_PROXY=127.0.0.1,::1', () => behindListedProxy]] as const) {
    it(`${name}: each client behind the proxy has its own count, and a spoofed prefix changes nothing`, async () => {
      const s = server();
      await setLimits(s, TWO_PER_MINUTE);
      expect(await handshakeVia(s, 'alice', '198.51.100.1')).toBe('connected');
      // The client wrote 203.0.113.9 itself; the proxy appended the address it saw.
      expect(await handshakeVia(s, 'alice', '203.0.113.9, 198.51.100.1')).toBe('connected');
      expect(await handshakeVia(s, 'alice', '203.0.113.10, 198.51.100.1')).toBe('RATE_LIMITED');
      // Another client behind the same proxy is not pushed over by alice's count.
      expect(await handshakeVia(s, 'bob', '198.51.100.2')).toBe('connected');
    });
  }

  it('logs the client address the trusted hop reported', async () => {
    await setLimits(behindOneHop, { connection: { points: 100, durationMs: 60_000 } });
    expect(await handshakeVia(behindOneHop, 'logged', '203.0.113.9, 198.51.100.77')).toBe('connected');
    const line = await behindOneHop.waitForLog((l) => l.msg === 'connected' && l.userId === 'logged');
    expect(line.clientAddress).toBe('198.51.100.77');
  });
});
