/** The harness could not run at all (exit status 2, EXIT_STATUS['could-not-run']): one line, no stack. */
export class HarnessError extends Error {
  override name = 'HarnessError';
}
