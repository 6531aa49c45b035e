/** A TCP endpoint as Toxiproxy writes it: "host:port", "[v6]:port" or ":port" (all interfaces). */
export interface HostPort {
  host: string;
  port: number;
}

/** Parses "host:port"; returns an error message instead of throwing so the API can answer 400. */
export function parseHostPort(text: string): HostPort | string {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!match) return `"${text}" is not host:port`;
  const port = Number(match[3]);
  if (port > 65_535) return `port ${port} in "${text}" is above 65535`;
  return { host: match[1] ?? match[2] ?? '', port };
}

/** Formats an address the way Go's net.Addr.String() does, so `listen` reads like real Toxiproxy's. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
