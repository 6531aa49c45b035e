/**
 * What C21 reads in a supervisor command's output (pure): the server's fatal line, when the supervisor
 * passes the server's output on (as is or quoted inside its own JSON lines, as sockproof's supervisor does
 * in `stderr_tail`), and the exit codes it reports in words ("exited with code 1").
 */

/** pino's fatal level (60, or the label), with its quotes as is or escaped inside another JSON string. */
const FATAL_LEVEL = /\\*"level\\*"\s*:\s*(?:60\b|\\*"fatal\\*")/;
const EXIT_CODE = /exited with code (-?\d+)/;

/** Lines that carry a fatal log line, in order. */
export function fatalLogLines(lines: readonly string[]): string[] {
  return lines.filter((line) => FATAL_LEVEL.test(line));
}

/** The part of a fatal line from its level on (a quoted line may sit deep inside its supervisor's own). */
export function fatalExcerpt(line: string, length = 300): string {
  const at = FATAL_LEVEL.exec(line)?.index ?? 0;
  return line.slice(at, at + length);
}

/** The exit codes the lines report, one per line that reports one, in order. */
export function exitCodesLogged(lines: readonly string[]): number[] {
  return lines.flatMap((line) => {
    const m = EXIT_CODE.exec(line);
    return m ? [Number(m[1])] : [];
  });
}
