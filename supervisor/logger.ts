import pino, { type Logger } from 'pino';

/**
 * Structured JSON lines with levels (pino), appended to the supervisor's log file, and also
 * to stdout when `alsoStdout` (foreground under systemd or a container, where the journal or
 * the runtime collects stdout). Synchronous writes so that the last line before an exit is kept.
 */
export function createSupervisorLogger(level: string, file: string, alsoStdout: boolean): Logger {
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: pino.destination({ dest: file, append: true, mkdir: true, sync: true }) }];
  if (alsoStdout) streams.push({ level: 'trace', stream: pino.destination({ dest: 1, sync: true }) });
  return pino({ level, base: { pid: process.pid, name: 'sockproof-supervisor' } }, pino.multistream(streams));
}
