import type { CheckContext } from '../context.ts';
import { CheckInconclusive } from '../check.ts';
import { TargetProcess, TargetStartError } from '../target.ts';

/** How a sibling is started when not as the target was. */
export interface SiblingLaunch {
  /** A command of its own, given the target's variables (a supervisor command that starts the server). */
  command?: string;
  /** A fixed PORT (TargetCommand.port): the server a supervisor restarts is found there again. */
  port?: number;
}

/**
 * A second process of the harness-started target, started with the same command, secret and
 * variables plus `env` (a configuration under test: TRUST_PROXY, ADMIN_FIXTURES), on a port and
 * data directory of its own, and stopped when `use` ends. The target under test keeps running.
 * It starts within the target's own start budget: a check using it allows for a slow start.
 * `launch` starts it with another command instead (a supervisor that starts the server: C21).
 */
export async function withSiblingTarget<T>(ctx: CheckContext, env: Record<string, string>, use: (sibling: TargetProcess) => Promise<T>, launch: SiblingLaunch = {}): Promise<T> {
  const proc = ctx.target.process!;
  const shown = [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...(launch.command ? [`the command ${launch.command}`] : [])].join(' ');
  let sibling: TargetProcess;
  try {
    sibling = await TargetProcess.start({
      ...proc.spec,
      command: launch.command ?? proc.spec.command,
      ...(launch.port !== undefined ? { port: launch.port } : {}),
      env: { ...proc.spec.env, ...env },
      jwtSecret: proc.jwtSecret,
    });
  } catch (err) {
    if (err instanceof TargetStartError) throw new CheckInconclusive(`a second target with ${shown} did not start: ${err.message}`);
    throw err;
  }
  ctx.recorder.note(`started a second target with ${shown} at ${sibling.url}`);
  try {
    return await use(sibling);
  } finally {
    await sibling.stop();
  }
}
