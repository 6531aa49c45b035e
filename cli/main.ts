import { Command, CommanderError } from 'commander';
import { SPEC_VERSION } from '../spec/version.ts';
import { registerServe } from './serve.ts';
import { registerToken } from './token.ts';
import { UsageError } from './usage-error.ts';

const program = new Command('sockproof')
  .description(`Chaos and conformance harness for Socket.IO chat servers (sockproof spec ${SPEC_VERSION})`)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerServe(program);
registerToken(program);

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
