import type { TargetProcess } from '../../testbed/targets/target-process.ts';

export { TargetProcess, TargetStartError, type TargetCommand, type TargetExit } from '../../testbed/targets/target-process.ts';

/**
 * The server under test: either one the harness attached to (--target), or one it started itself
 * (--server-cmd, see testbed/targets/target-process.ts). Only a started target can be signalled, restarted
 * and read.
 */
export interface Target {
  readonly url: string;
  readonly startedByHarness: boolean;
  /** Present when the harness started the target. */
  readonly process: TargetProcess | undefined;
}

export function attachedTarget(url: string): Target {
  return { url: url.replace(/\/+$/, ''), startedByHarness: false, process: undefined };
}

export function startedTarget(proc: TargetProcess): Target {
  return {
    get url() {
      return proc.url;
    },
    startedByHarness: true,
    process: proc,
  };
}
