import { BlockList, isIP } from 'node:net';

/**
 * Which proxies in front of the node are trusted to report the client's address in
 * `X-Forwarded-For` (TRUST_PROXY, NODE-5): none (the header is ignored), the N nearest hops, or the
 * proxies whose own address is in a list of addresses and CIDRs.
 */
export type TrustProxy =
  | { kind: 'none' }
  | { kind: 'hops'; hops: number }
  | { kind: 'addresses'; list: BlockList; shown: string };

export const NO_TRUSTED_PROXY: TrustProxy = { kind: 'none' };
const MAX_HOPS = 32;

/** TRUST_PROXY's value: a hop count 0-32 (0: none) or a comma list of addresses/CIDRs; an error text when it is neither. */
export function parseTrustProxy(raw: string): TrustProxy | { error: string } {
  const error = `a hop count 0-${MAX_HOPS} or a comma list of proxy addresses or CIDRs such as 10.0.0.0/8,::1`;
  const value = raw.trim();
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_HOPS) return { error };
    return hops === 0 ? NO_TRUSTED_PROXY : { kind: 'hops', hops };
  }
  const list = new BlockList();
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) return { error };
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    if (family === 0 || rest.length > 0) return { error };
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      list.addAddress(address!, type);
      continue;
    }
    const bits = /^\d+$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits >= 0 && bits <= (family === 4 ? 32 : 128))) return { error };
    list.addSubnet(address!, bits, type);
  }
  return { kind: 'addresses', list, shown: entries.join(',') };
}

/**
 * The client's address as seen through the trusted proxies (NODE-5). The chain is read from the
 * nearest end: the socket's peer, then `X-Forwarded-For` from right to left. Each proxy appends the
 * address it saw, so only entries added by trusted proxies can be believed; the walk stops at the
 * first address that is not a trusted proxy, and everything left of it (which the client may have
 * written itself) is never read. Without a trusted proxy the header is ignored.
 */
export function clientAddress(socketAddress: string, forwardedFor: string | string[] | undefined, trust: TrustProxy): string {
  const peer = normalise(socketAddress) ?? socketAddress;
  if (trust.kind === 'none' || forwardedFor === undefined) return peer;
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  let current = peer;
  for (let hop = 0; ; hop++) {
    if (!isTrustedProxy(current, hop, trust)) return current;
    const next = forwarded.pop();
    if (next === undefined) return current;
    const address = normalise(next);
    // A trusted proxy passed on something that is not an address: the proxy itself is the last fact known.
    if (address === undefined) return current;
    current = address;
  }
}

function isTrustedProxy(address: string, hop: number, trust: Exclude<TrustProxy, { kind: 'none' }>): boolean {
  if (trust.kind === 'hops') return hop < trust.hops;
  const family = isIP(address);
  return family !== 0 && trust.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** An address as written in a socket or a header ("::ffff:10.0.0.1", "[::1]:443", "10.0.0.1:80"), as a plain IP, or undefined. */
function normalise(raw: string): string | undefined {
  let s = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(s);
  if (mapped) s = mapped[1]!;
  return isIP(s) === 0 ? undefined : s.toLowerCase();
}
