import { Command, CommanderError } from 'commander';
import { SPEC_VERSION } from '../spec/version.ts';
import { registerChaos } from './chaos.ts';
import { registerConformance } from './conformance.ts';
import { registerDaemon } from './daemon.ts';
import { registerFaultProxy } from './fault-proxy.ts';
import { registerLoad } from './load.ts';
import { registerReport } from './report.ts';
import { registerServe } from './serve.ts';
import { registerToken } from './token.ts';
import { UsageError } from './usage-error.ts';

const program = new Command('sockproof')
  .description(`Chaos and conformance harness for Socket.IO chat servers (sockproof spec ${SPEC_VERSION})`)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

// The order is the order of `sockproof --help`.
registerServe(program);
registerToken(program);
registerDaemon(program);
registerConformance(program);
registerReport(program);
registerChaos(program);
registerLoad(program);
registerFaultProxy(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  if (err instanceof UsageError) {
    process.stderr.write(`sockproof: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
