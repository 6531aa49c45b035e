// What C21 reads in a supervisor command's output: pure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exitCodesLogged, fatalExcerpt, fatalLogLines } from '../checks/production/supervisor-output.ts';

const pinoLine = (level: number | string) => JSON.stringify({ level, time: '2026-11-30T20:00:00.000Z', pid: 7, msg: 'uncaught exception' });
/** A line as a supervisor may pass it on: as is, or quoted (once or more) inside its own JSON line. */
const quoted = (line: string, times: number) => {
  let out = line;
  for (let i = 0; i < times; i++) out = JSON.stringify({ level: 50, msg: 'server failed', failure: { stderr_tail: [out] } });
  return out;
};

describe("a supervisor command's output, as C21 reads it", () => {
  it('finds a fatal pino line (level 60 or "fatal") as is or quoted inside other JSON lines, and no other level', () => {
    fc.assert(
      fc.property(fc.constantFrom<number | string>(60, 'fatal'), fc.constantFrom<number | string>(10, 20, 30, 40, 50, 'info', 'error', 'warn'), fc.nat(3), (fatal, other, times) => {
        expect(fatalLogLines([quoted(pinoLine(other), times)])).toEqual([]);
        const line = quoted(pinoLine(fatal), times);
        expect(fatalLogLines(['plain text', quoted(pinoLine(other), times), line])).toEqual([line]);
        // The excerpt starts at the fatal level, however deep the line is quoted.
        expect(fatalExcerpt(line)).toMatch(/^\\*"level\\*":(60|\\*"fatal)/);
      }),
    );
  });

  it('reads the exit codes reported in words, one per line, in order', () => {
    const lines = [
      '{"level":50,"msg":"server failed: server exited with code 1","failure":{"message":"server exited with code 1"}}',
      '{"level":30,"msg":"server started"}',
      '{"level":30,"msg":"server exited with code 0; not restarted"}',
      'child was killed by SIGKILL',
    ];
    expect(exitCodesLogged(lines)).toEqual([1, 0]);
    expect(exitCodesLogged([])).toEqual([]);
  });
});
