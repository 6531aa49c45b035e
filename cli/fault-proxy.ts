import type { Command } from 'commander';
import { parseIntOption, UsageError } from './usage-error.ts';

export function registerFaultProxy(program: Command): void {
  program
    .command('fault-proxy')
    .description('run a Toxiproxy-compatible TCP fault proxy (HTTP API as Toxiproxy v2; see testbed/fault-proxy/README.md)')
    .option('--host <host>', 'address for the HTTP API to listen on', '127.0.0.1')
    .option('--port <port>', 'port for the HTTP API (0 picks a free one)', parseIntOption('--port', 0), 8474)
    .action(async (options: { host: string; port: number }) => {
      if (options.port > 65_535) throw new UsageError(`--port takes a port number up to 65535, got ${options.port}`);
      if (options.host.trim() === '') throw new UsageError('--host must not be empty');
      const { startFaultProxy } = await import('../testbed/fault-proxy/server.ts');
      const server = await startFaultProxy(options).catch((err: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot listen on ${options.host}:${options.port}: ${err.code ?? err.message}`);
      });
      process.stdout.write(`fault proxy API listening on ${server.url}\n`);
      // Run until told to stop, then close every listener and connection we opened.
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
