import { readFileSync } from 'node:fs';

/** The port a server reported in SOCKPROOF_PORT_FILE, or undefined until it has written a valid one. */
export function readPortFile(path: string): number | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    const port = Number(text);
    return /^\d+$/.test(text) && port >= 1 && port <= 65_535 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** The URL to check a server on, from the host it binds (HOST) and the port it reported. */
export function healthUrlFor(host: string | undefined, port: number, path: string): string {
  // A server bound to every interface is reachable on loopback.
  const h = !host || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}${path}`;
}
