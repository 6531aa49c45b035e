import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../../testbed/services/free-port.ts';
import type { Message } from '../../../events.ts';
import { AdminFatalResponse, HealthResponse, HTTP_PATHS } from '../../../http.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { HttpProbe, HttpUnreachable } from '../../http.ts';
import type { TargetProcess } from '../../target.ts';
import { lostOrChanged, readHistory } from '../recovery/history.ts';
import { msgKey } from '../scene.ts';
import { withSiblingTarget } from '../sibling-target.ts';
import { MAX_SENDS_WHILE_DOWN, OtherNodeUser } from './other-node-user.ts';
import { exitCodesLogged, fatalExcerpt, fatalLogLines } from './supervisor-output.ts';

/** The process that threw must be gone within this (it throws 0.1 s after its 202 at most 1 s). */
const GONE_WITHIN_MS = 10_000;
/** Its supervisor must have it serving again within this: a restart with backoff and a start-up on a loaded machine. */
const BACK_WITHIN_MS = 30_000;
const POLL_MS = 500;

/**
 * The variables the harness gives a supervisor command besides the target's own. They configure the
 * project's supervisor (`sockproof daemon start --foreground`): a state directory of its own, a quick first
 * restart, and systemd's Restart=on-failure, so that a server exiting 0 after a fatal exception stays down
 * as it would under such a unit. Another supervisor ignores them and must restart failures only itself.
 */
function supervisorEnv(stateDir: string): Record<string, string> {
  return { SOCKPROOF_STATE_DIR: stateDir, SOCKETIO_RESTART: 'on-failure', SOCKETIO_INITIAL_RETRY_DELAY: '0.5', SOCKETIO_SHUTDOWN_TIMEOUT: '3' };
}

/**
 * On a multi-node run (--nodes 2) the supervised server is one more node of the deployment: it gets the
 * target's variables (the shared REDIS_URL and DATABASE_URL) and a NODE_ID of its own when the nodes have ids.
 */
const SUPERVISED_NODE_ID = 'node-supervised';

export default defineCheck({
  id: 'C21',
  title:
    'Under its supervisor, an exception outside any handler (fixture POST /admin/fatal) ends the process, and the supervisor has it serving again within 30 s with no acked message lost; on a multi-node run the other node serves on meanwhile and the restarted node rejoins the deployment',
  group: 'Production readiness',
  level: 'MUST',
  rules: ['OPS-4', 'FIX-5', 'DUR-1', 'NODE-1'],
  // The supervisor command starts beside the target with the target's command variables (--server-cmd's).
  // With a peer (--nodes 2) it also runs the deployment part; without one that part is left out, not failed.
  needs: ['harness-started', 'supervisor'],
  timeoutMs: 240_000, // the supervised target starts within the target's start budget, then up to 40 s of restart
  async run(ctx: CheckContext) {
    const stateDir = await mkdtemp(join(tmpdir(), 'sockproof-c21-supervisor-'));
    try {
      const port = await freePort();
      ctx.recorder.note(`the supervisor command gets PORT=${port}, so the server it restarts is found there again`);
      const peer = ctx.capabilities.peers[0];
      const nodeId: Record<string, string> = peer !== undefined && ctx.target.process?.spec.env?.NODE_ID !== undefined ? { NODE_ID: SUPERVISED_NODE_ID } : {};
      if (peer !== undefined) ctx.recorder.note(`multi-node run: the supervised server joins the deployment of ${ctx.target.url} and ${peer} on its shared services; a user on ${peer} watches it leave and come back`);
      else ctx.recorder.note('single node: the deployment part (the other node serves on, the restarted node rejoins) needs a peer (--nodes 2 --deps redis,postgres) and is not run');
      await withSiblingTarget(ctx, { ...supervisorEnv(stateDir), ...nodeId }, (supervised) => observeRestart(ctx, supervised, peer), { command: ctx.capabilities.supervisorCommand!, port });
    } finally {
      await rm(stateDir, { recursive: true, force: true }).catch(() => undefined);
    }
  },
});

async function observeRestart(ctx: CheckContext, supervised: TargetProcess, peer: string | undefined): Promise<void> {
  const url = supervised.url;
  const http = new HttpProbe(url, ctx.recorder);
  await relaxLimitsOn(ctx, http);
  const channelId = await ctx.channel({ url });
  const writer = await ctx.user('writer');
  const before = await ctx.connectAs('writer before', writer, { url });
  await ctx.ok(before, 'channel:join', { channelId });
  const other = peer !== undefined ? await OtherNodeUser.join(ctx, peer, channelId) : undefined;
  const acked: Message[] = [await ctx.ok(before, 'message:send', { channelId, text: 'acked before the fatal exception', clientMsgId: msgKey(ctx) })];
  await other?.sawBefore(acked[0]!);

  // The process before, by its uptime (recorded with the exchange); the one after must be younger than the exception.
  const healthBefore = HealthResponse.safeParse((await http.get(HTTP_PATHS.health)).body);
  if (healthBefore.success) ctx.recorder.note(`before the exception: uptime ${healthBefore.data.uptimeSeconds} s`);
  const fatal = await http.send({ method: 'POST', path: HTTP_PATHS.adminFatal, token: ctx.adminToken });
  const firedAt = performance.now();
  ctx.require(fatal.status === 202 && AdminFatalResponse.safeParse(fatal.body).success, `POST ${HTTP_PATHS.adminFatal} with the admin token answers 202 {throwsInMs} (FIX-5)`, `${fatal.status} ${fatal.text.slice(0, 200)}`);

  const gone = await before.waitClosed(GONE_WITHIN_MS);
  ctx.require(
    gone,
    `the process that threw outside any handler ends within ${GONE_WITHIN_MS / 1000} s: the socket opened before closes (OPS-4: it exits, to be restarted in a known state)`,
    `${before.closeState} after ${Math.round(performance.now() - firedAt)} ms: the process kept running after the exception`,
  );

  // While it is down, the other node's user sends (one per poll that finds it unreachable, a few at most).
  const whileDown = other ? () => (other.triedWhileDown < MAX_SENDS_WHILE_DOWN ? other.sendWhileDown() : Promise.resolve()) : undefined;
  const back = await servingAgain(http, firedAt, () => !supervised.isRunning, whileDown);
  other?.noteOutage();
  const supervisorState = supervised.isRunning ? 'the supervisor command is still running' : `the supervisor command exited (${supervised.exit?.signal ?? `code ${supervised.exit?.code}`})`;
  const exits = exitCodesLogged(supervised.logLines);
  if (exits.length > 0) {
    ctx.recorder.note(`exit codes of the server in the supervisor's output: ${[...new Set(exits)].join(', ')} (in ${exits.length} lines)`);
    ctx.expect(exits[0] !== 0, 'the server exits non-zero after the exception (OPS-4: exit 1), as its supervisor logged it', `exit code ${exits[0]}`);
  }
  ctx.require(
    back.kind === 'serving',
    `GET ${HTTP_PATHS.health} answers 200 from a process started after the exception, within ${BACK_WITHIN_MS / 1000} s (the supervisor restarted it)`,
    back.kind === 'serving'
      ? 'serving'
      : `${back.last}; ${supervisorState}. A supervisor that restarts failures only (systemd Restart=on-failure; the harness runs its own so) leaves a server that exits 0 down`,
  );
  ctx.recorder.note(`serving again ${Math.round(back.afterMs)} ms after the fatal fixture answered (uptime ${back.uptimeSeconds} s)`);

  await relaxLimitsOn(ctx, http);
  const after = await ctx.connectAs('writer after', writer, { url });
  await ctx.ok(after, 'channel:join', { channelId }, 'channel:join after the restart');
  const history = await readHistory(ctx, after, channelId);
  const problems = lostOrChanged(acked, history);
  ctx.expect(problems.length === 0, 'every message acked before the exception is in history after the restart, once and unchanged (DUR-1)', problems.length ? problems.join('; ') : 'all there');
  const next = await ctx.ok(after, 'message:send', { channelId, text: 'sent after the restart', clientMsgId: msgKey(ctx) }, 'a send after the restart');
  ctx.expect(next.seq > acked[0]!.seq, 'the send after the restart continues the channel seq', `seq ${next.seq} after ${acked[0]!.seq}`);
  await other?.sawRejoin(after, history, acked, next);

  // SHOULD-level evidence: the fatal line is visible only when the supervisor passes the server's output on.
  const fatalLines = fatalLogLines(supervised.logLines);
  ctx.recorder.note(
    fatalLines.length > 0
      ? `a fatal log line in the supervisor command's output (OPS-4): …${fatalExcerpt(fatalLines[0]!)}`
      : "no fatal log line in the supervisor command's output (its supervisor may keep the server's output elsewhere): OPS-4's fatal log not observed",
  );
}

/**
 * The harness's relaxed limits on the supervised server too, and again on the process that replaced it: on a
 * multi-node run its limits count on the deployment's Redis, where the run's earlier traffic already counts.
 */
async function relaxLimitsOn(ctx: CheckContext, http: HttpProbe): Promise<void> {
  const res = await http.send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: ctx.adminToken, body: ctx.harnessLimits });
  if (res.status !== 200) ctx.recorder.note(`PUT ${HTTP_PATHS.adminLimits} on the supervised server answered ${res.status}: its own limits stay`);
}

type Serving = { kind: 'serving'; afterMs: number; uptimeSeconds: number } | { kind: 'not serving'; last: string };

/**
 * Polls health until a process started after `firedAt` answers 200, or the bound passes, or the supervisor itself
 * is gone. `whileDown` runs after each poll that found the node unreachable (the deployment part's outage sends).
 */
async function servingAgain(http: HttpProbe, firedAt: number, supervisorGone: () => boolean, whileDown?: () => Promise<void>): Promise<Serving> {
  let last = 'no answer yet';
  while (performance.now() - firedAt < BACK_WITHIN_MS) {
    if (supervisorGone()) return { kind: 'not serving', last: `${last}; nothing left to restart it` };
    try {
      const res = await http.send({ path: HTTP_PATHS.health, timeoutMs: 2_000 });
      const health = HealthResponse.safeParse(res.body);
      const sinceFired = (performance.now() - firedAt) / 1000;
      if (res.status === 200 && health.success && health.data.uptimeSeconds <= sinceFired) return { kind: 'serving', afterMs: sinceFired * 1000, uptimeSeconds: health.data.uptimeSeconds };
      last = health.success ? `health ${res.status}, uptime ${health.data.uptimeSeconds} s (${sinceFired.toFixed(1)} s after the exception)` : `health ${res.status} without HealthResponse`;
    } catch (err) {
      if (!(err instanceof HttpUnreachable)) throw err;
      last = `health unreachable (${err.message})`;
      await whileDown?.();
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return { kind: 'not serving', last: `after ${BACK_WITHIN_MS / 1000} s: ${last}` };
}
