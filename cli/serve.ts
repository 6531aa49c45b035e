import type { Command } from 'commander';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the reference server (configured by environment variables; see README)')
    .action(async () => {
      const { runServer } = await import('../reference-server/main.ts');
      await runServer();
    });
}
