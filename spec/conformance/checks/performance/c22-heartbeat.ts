import { CheckInconclusive, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { PollingSession } from '../../wire/polling.ts';

/** Stated tolerance on every timer: max(500 ms, 10 %) late, 100 ms early. */
export const tolerance = (ms: number) => Math.max(500, Math.round(ms * 0.1));
const EARLY_MS = 100;
/** How many ping intervals a connected client that sends nothing is held (TRN-6: it stays). */
const IDLE_PING_INTERVALS = 3;

/** Waits on long polls until the session ends; answers pings when asked to. Returns when it ended (ms since the handshake), or undefined. */
async function pollUntilClosed(s: PollingSession, now: () => number, budgetMs: number, answerPings: boolean, pingsAt: number[]): Promise<number | undefined> {
  const deadline = now() + budgetMs;
  while (now() < deadline) {
    const r = await s.poll(Math.max(1, deadline - now()));
    if (r.kind === 'timeout') return undefined;
    if (r.kind === 'error') return now() - s.openedAt;
    for (const p of r.packets) {
      if (p === '1') return now() - s.openedAt;
      if (p === '2') {
        pingsAt.push(now() - s.openedAt);
        if (answerPings) await s.post(['3']);
      }
    }
  }
  return undefined;
}

export default defineCheck({
  id: 'C22',
  title: 'Heartbeat and timeouts as published: pings at pingInterval, silent clients and unconnected sessions closed in time, a client that answers pings but sends nothing kept',
  group: 'Performance',
  level: 'MUST',
  rules: ['TRN-4', 'TRN-5', 'TRN-6', 'SPECDOC-1'],
  timeoutMs: 240_000,
  async run(ctx: CheckContext) {
    const t = ctx.spec.transport;
    const now = () => ctx.recorder.now();
    const user = await ctx.user('silent');

    const silent = await PollingSession.handshake(ctx.target.url, t.path, ctx.recorder, 'silent');
    const idle = await PollingSession.handshake(ctx.target.url, t.path, ctx.recorder, 'unconnected');
    if (!silent.session || !idle.session) throw new CheckInconclusive(`no polling handshake: ${silent.status} ${silent.body.slice(0, 100)}`);
    const open = silent.session.open;
    ctx.expect(open.pingInterval === t.pingIntervalMs, `handshake pingInterval ${t.pingIntervalMs} as published`, String(open.pingInterval));
    ctx.expect(open.pingTimeout === t.pingTimeoutMs, `handshake pingTimeout ${t.pingTimeoutMs} as published`, String(open.pingTimeout));
    ctx.expect(open.maxPayload === t.maxHttpBufferSize, `handshake maxPayload ${t.maxHttpBufferSize} as published`, String(open.maxPayload));

    await silent.session.post([`40${JSON.stringify({ token: user.token })}`]);
    const connected = await silent.session.poll(5_000);
    ctx.require(connected.kind === 'packets' && connected.packets.some((p) => p.startsWith('40')), 'the silent client connects to "/"', JSON.stringify(connected));

    // TRN-6: no application idle limit. A connected client that answers every ping and sends no event is
    // held, beside the two sessions above, for IDLE_PING_INTERVALS ping intervals. Over long-polling, as the
    // rest of this check: TRN-2's WebSocket is P02's to judge.
    const quiet = await ctx.connectAs('quiet', await ctx.user('quiet'), { transports: ['polling'] });
    const quietHoldMs = IDLE_PING_INTERVALS * t.pingIntervalMs + tolerance(t.pingIntervalMs);

    const silentPings: number[] = [];
    const idlePings: number[] = [];
    const [silentEnd, idleEnd] = await Promise.all([
      pollUntilClosed(silent.session, now, t.pingIntervalMs + t.pingTimeoutMs + tolerance(t.pingIntervalMs + t.pingTimeoutMs) + 1_000, false, silentPings),
      pollUntilClosed(idle.session, now, t.connectTimeoutMs + tolerance(t.connectTimeoutMs) + 1_000, true, idlePings),
      sleep(quietHoldMs),
    ]);
    const quietAnswer = quiet.isOpen ? await ctx.call(quiet, 'typing:stop', [{ channelId: ctx.uniqueId('quiet') }]) : undefined;
    ctx.expect(
      quiet.isOpen && quietAnswer?.kind === 'ok',
      `a client that answers pings and sends no event stays connected for ${IDLE_PING_INTERVALS} ping intervals and is answered then (TRN-6)`,
      quiet.isOpen ? `open, typing:stop ${quietAnswer?.kind}` : quiet.closeState,
    );
    quiet.close();

    const firstPing = silentPings[0];
    ctx.expect(
      firstPing !== undefined && firstPing >= t.pingIntervalMs - EARLY_MS && firstPing <= t.pingIntervalMs + tolerance(t.pingIntervalMs),
      `first ping ${t.pingIntervalMs} ms after the handshake (+${tolerance(t.pingIntervalMs)}, -${EARLY_MS})`,
      firstPing === undefined ? 'no ping' : `${Math.round(firstPing)} ms`,
    );
    const deadline = t.pingIntervalMs + t.pingTimeoutMs;
    ctx.expect(
      silentEnd !== undefined && silentEnd >= deadline - EARLY_MS && silentEnd <= deadline + tolerance(deadline),
      `a client that never answers pings closed ${deadline} ms after the handshake (+${tolerance(deadline)}, -${EARLY_MS})`,
      silentEnd === undefined ? 'still open' : `${Math.round(silentEnd)} ms`,
    );
    ctx.expect(
      idleEnd !== undefined && idleEnd >= t.connectTimeoutMs - EARLY_MS && idleEnd <= t.connectTimeoutMs + tolerance(t.connectTimeoutMs),
      `a session that never connects to a namespace closed ${t.connectTimeoutMs} ms after the handshake (+${tolerance(t.connectTimeoutMs)}, -${EARLY_MS})`,
      idleEnd === undefined ? 'still open' : `${Math.round(idleEnd)} ms`,
    );
  },
});
