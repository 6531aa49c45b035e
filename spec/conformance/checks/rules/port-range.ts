import { createServer, type Server } from 'node:net';

/** Binds 127.0.0.1:port, or says it is taken. */
function bind(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const close = (server: Server) => new Promise<void>((r) => server.close(() => r()));

/**
 * `count` consecutive ports on 127.0.0.1 with the first held by the harness and the rest free when
 * looked at (OPS-5: a target given this range must skip the first and bind the second). The system
 * picks the first, so two runs rarely meet; `release` frees it.
 */
export async function portRange(count: number): Promise<{ ports: number[]; release: () => Promise<void> }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const holder = await bind(0);
    if (!holder) continue;
    const first = (holder.address() as { port: number }).port;
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if (ports.at(-1)! > 65_535) {
      await close(holder);
      continue;
    }
    const probes = await Promise.all(ports.slice(1).map(bind));
    await Promise.all(probes.map((p) => (p ? close(p) : undefined)));
    if (probes.every(Boolean)) return { ports, release: () => close(holder) };
    await close(holder);
  }
  throw new Error(`no ${count} consecutive ports found free on 127.0.0.1`);
}
