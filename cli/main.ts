import { Command, CommanderError } from 'commander';
import { EXIT_STATUS } from '../reports/verdicts.ts';
import { PACKAGE_VERSION, SPEC_VERSION } from '../spec/version.ts';
import { UsageError } from './usage-error.ts';

type Register = (program: Command) => void;

/**
 * Subcommands, in `sockproof --help` order. Each is imported only when named: `serve` must not
 * pay for loading the harness, the supervisor and the load tools.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  serve: async () => (await import('./serve.ts')).registerServe,
  token: async () => (await import('./token.ts')).registerToken,
  daemon: async () => (await import('./daemon.ts')).registerDaemon,
  conformance: async () => (await import('./conformance.ts')).registerConformance,
  report: async () => (await import('./report.ts')).registerReport,
  chaos: async () => (await import('./chaos.ts')).registerChaos,
  load: async () => (await import('./load.ts')).registerLoad,
  bench: async () => (await import('./bench.ts')).registerBench,
  fuzz: async () => (await import('./fuzz.ts')).registerFuzz,
  'fault-proxy': async () => (await import('./fault-proxy.ts')).registerFaultProxy,
};

const program = new Command('sockproof')
  .description(`Chaos and conformance harness for Socket.IO chat servers (sockproof spec ${SPEC_VERSION})`)
  .version(`${PACKAGE_VERSION} (spec ${SPEC_VERSION})`)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const named = process.argv[2];
const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
for (const name of wanted) (await COMMANDS[name]!())(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT_STATUS['could-not-run']);
  if (err instanceof UsageError) {
    process.stderr.write(`sockproof: ${err.message}\n`);
    process.exit(EXIT_STATUS['could-not-run']);
  }
  throw err;
}
