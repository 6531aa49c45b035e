import { readAck } from '../../ack.ts';
import { CheckInconclusive, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { dependencyControl, health, within } from '../outage.ts';
import { msgKey } from '../scene.ts';
import { withSiblingTarget } from '../sibling-target.ts';

/** The drain timeout the second target runs with, in seconds (SOCKETIO_SHUTDOWN_TIMEOUT, CFG-5). */
const SHUTDOWN_TIMEOUT_S = 2;
/** Its wait on the store (DEPENDENCY_TIMEOUT_MS, CFG-3): far past the drain timeout, so the send stays in flight. */
const DEPENDENCY_TIMEOUT_MS = 30_000;
/** How long the store's answers are held: past the drain timeout and the check's wait. */
const STALL_MS = 25_000;
const EXIT_SLACK_MS = 3_000;
/** Time for the send to reach the target and be taken in hand before the signal. */
const IN_FLIGHT_SETTLE_MS = 300;
/** How long the target under test gets to be healthy again once the stall is gone (DEG-5). */
const RECOVERY_MS = 20_000;

/**
 * OPS-2's last clause: a drain that cannot finish in time ends with exit 1 at the timeout, so that a
 * supervisor or orchestrator knows in-flight work may be lost. The check makes a drain unable to finish
 * the honest way: a send is in flight while the database (behind the harness's fault proxy) holds its
 * answers longer than the drain timeout, and the target is told to wait for the store that long.
 */
export default defineCheck({
  id: 'C40',
  title: 'A drain that cannot finish in time exits 1 at the timeout (a second target with SOCKETIO_SHUTDOWN_TIMEOUT=2 is SIGTERMed while a send waits on a stalled database)',
  group: 'Error recovery',
  level: 'MUST',
  rules: ['OPS-2', 'CFG-5'],
  needs: ['harness-started', 'dependency-control'],
  timeoutMs: 150_000, // a second target starts within it (slow on a loaded machine)
  async run(ctx: CheckContext) {
    const deps = dependencyControl(ctx, 'postgres');
    try {
      await withSiblingTarget(ctx, { SOCKETIO_SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT_S), DEPENDENCY_TIMEOUT_MS: String(DEPENDENCY_TIMEOUT_MS) }, async (sibling) => {
        const channelId = await ctx.channel({ url: sibling.url });
        const writer = await ctx.connectAs('writer (second target)', await ctx.user('writer'), { url: sibling.url });
        await ctx.ok(writer, 'channel:join', { channelId });
        await ctx.ok(writer, 'message:send', { channelId, text: 'before the stall', clientMsgId: msgKey(ctx) }, 'a send before the stall (the store answers)');

        const unstall = await deps.addToxic('postgres', { type: 'latency', stream: 'upstream', attributes: { latency: STALL_MS, jitter: 0 } });
        ctx.recorder.note(`postgres stalled: every request held ${STALL_MS} ms by the fault proxy`);
        try {
          const sent = writer.request('message:send', [{ channelId, text: 'in flight', clientMsgId: msgKey(ctx) }], SHUTDOWN_TIMEOUT_S * 1000 + EXIT_SLACK_MS);
          await new Promise((r) => setTimeout(r, IN_FLIGHT_SETTLE_MS));
          const signalledAt = performance.now();
          sibling.signal('SIGTERM');
          ctx.recorder.note(`SIGTERM sent to the second target with a send in flight (SOCKETIO_SHUTDOWN_TIMEOUT=${SHUTDOWN_TIMEOUT_S})`);
          const exit = await sibling.waitExit(SHUTDOWN_TIMEOUT_S * 1000 + EXIT_SLACK_MS);
          const reading = readAck('message:send', await sent);
          const took = exit ? Math.round(exit.atMs - signalledAt) : undefined;
          ctx.recorder.note(`the in-flight send: ${reading.kind === 'error' ? `error ${reading.code}` : reading.kind}; exit ${exit ? `code ${exit.code} signal ${exit.signal} ${took} ms after the SIGTERM` : 'not seen'}`);
          if (reading.kind === 'ok') throw new CheckInconclusive('the in-flight send was stored despite the stalled database: the drain could finish, so its timeout was not reached');
          ctx.expect(
            exit !== undefined && exit.code === 1,
            `exit 1 within SOCKETIO_SHUTDOWN_TIMEOUT ${SHUTDOWN_TIMEOUT_S} s (+${EXIT_SLACK_MS} ms): the drain could not finish its in-flight send (OPS-2)`,
            exit ? `code ${exit.code} signal ${exit.signal} after ${took} ms` : 'still running',
          );
        } finally {
          await unstall();
          ctx.recorder.note('postgres stall removed');
        }
      });
    } finally {
      // The target under test shares the database: it must be itself again before the next check.
      const back = await within(RECOVERY_MS, async () => (await health(ctx)).body.status === 'healthy');
      ctx.recorder.note(back ? 'the target under test is healthy again' : `the target under test was not healthy within ${RECOVERY_MS} ms of the stall's end`);
    }
  },
});
