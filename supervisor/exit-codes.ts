/** What `sockproof daemon …` exit statuses mean (documented in supervisor/README.md). */
export const EXIT = {
  /** Done: started and healthy, stopped, or (status) running and healthy. */
  OK: 0,
  /** The server could not be kept running: it never became healthy, or the retry budget ran out (`failed`). */
  FAILED: 1,
  /** Bad command line or configuration value (one line on stderr). */
  USAGE: 2,
  /** status: no supervisor is running (LSB's "program is not running"). */
  NOT_RUNNING: 3,
  /** start: another supervisor already runs from this state directory. */
  ALREADY_RUNNING: 4,
  /** status: a supervisor runs but the server is not healthy right now (starting, unhealthy, restarting). */
  NOT_HEALTHY: 5,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
