import { randomUUID } from 'node:crypto';
import { openFaultLink, type FaultLink } from '../../../../testbed/fault-proxy/fault-link.ts';
import { CheckInconclusive } from '../../check.ts';
import type { CheckContext, TestUser } from '../../context.ts';
import type { Arrival, ConnectOutcome, WireConnection } from '../../wire/connection.ts';
import { AFTER_REFUSAL_MS, carriedChannelData, dropSeen, offsetOf } from '../recovery-scene.ts';
export { carriedChannelData, describeLeak } from '../recovery-scene.ts';
import { msgKey } from '../scene.ts';

const WAIT_MS = 5_000;

/** A user who dropped (transport cut) from a channel (private unless asked) while messages were sent there. */
export interface AwaySession {
  lb: FaultLink;
  user: TestUser;
  channelId: string;
  sid: string;
  pid: string;
  offset: string;
  /** A member of the channel who stayed, connected straight to the target. */
  sender: WireConnection;
  /** Ids of the messages sent to the channel while the user was away. */
  missedIds: string[];
}

/**
 * Sets the scene the recovery checks start from: the user reaches the target through a loopback
 * load balancer (the fault proxy), joins a channel (private unless asked), receives a message (its recovery
 * offset), is cut off, `whileAway` runs, and two messages are sent that the user missed. The
 * balancer is healed before returning; the caller closes it.
 */
export async function awaySession(
  ctx: CheckContext,
  whileAway: (s: { user: TestUser; channelId: string }) => Promise<void> = async () => {},
  opts: { private: boolean; url?: string } = { private: true },
): Promise<AwaySession> {
  // `url`: another process of the target (a sibling started with a configuration under test); the target's own by default.
  const url = opts.url ?? ctx.target.url;
  const lb = await openFaultLink(url, `lb-${randomUUID().slice(0, 8)}`);
  try {
    const [user, stayer] = [await ctx.user('away'), await ctx.user('stayer')];
    const channelId = await ctx.channel(opts.private ? { private: true, members: [user.id, stayer.id], url } : { url });
    const first = await ctx.open('away via lb', { url: lb.clientUrl, transports: ['websocket'] });
    const hello = await first.connect({ token: user.token });
    ctx.require(hello.kind === 'connected', 'the user connects through the load balancer', JSON.stringify(hello));
    if (!hello.pid) throw new CheckInconclusive('the CONNECT packet carried no pid although features.connectionStateRecovery is published');
    await ctx.ok(first, 'channel:join', { channelId });
    const sender = await ctx.connectAs('stayer', stayer, { url });
    await ctx.ok(sender, 'channel:join', { channelId });
    const before = await ctx.ok(sender, 'message:send', { channelId, text: 'before the drop', clientMsgId: msgKey(ctx) });
    const seen = await first.nextEvent('message:new', WAIT_MS, (m) => (m as { id?: unknown }).id === before.id);
    ctx.require(seen !== undefined, 'the user receives the first message', seen ? `message:new ${before.id}` : 'nothing');
    const offset = offsetOf(seen);
    if (!offset) throw new CheckInconclusive('message:new carried no recovery offset although features.connectionStateRecovery is published');
    await lb.cut();
    ctx.require(await first.waitClosed(WAIT_MS), 'the user sees its transport close', first.closeState);
    await dropSeen(sender, user.id);
    await whileAway({ user, channelId });
    const missedIds: string[] = [];
    for (let i = 1; i <= 2; i++) missedIds.push((await ctx.ok(sender, 'message:send', { channelId, text: `missed ${i}`, clientMsgId: msgKey(ctx) })).id);
    await lb.heal();
    return { lb, user, channelId, sid: hello.sid, pid: hello.pid, offset, sender, missedIds };
  } catch (err) {
    await lb.close();
    throw err;
  }
}

/** What a recovery attempt got: the handshake's answer and every event frame that carried the channel's data. */
export interface Attempt {
  conn: WireConnection;
  outcome: ConnectOutcome;
  leaked: Arrival[];
}

/**
 * A handshake through the balancer with the away user's pid and offset and the given token. The
 * frames that carried a missed message or the channel's id are collected: for an accepted
 * handshake up to the answer of `barrier` (a round trip after which anything written at connect
 * time has arrived), for a refused one during AFTER_REFUSAL_MS.
 */
export async function attemptRecovery(
  ctx: CheckContext,
  s: AwaySession,
  label: string,
  token: string,
  barrier?: (conn: WireConnection) => Promise<void>,
): Promise<Attempt> {
  const conn = await ctx.open(label, { url: s.lb.clientUrl, transports: ['websocket'] });
  const outcome = await conn.connect({ token, pid: s.pid, offset: s.offset });
  if (outcome.kind === 'connected' && barrier) await barrier(conn);
  else await conn.waitClosed(AFTER_REFUSAL_MS);
  return { conn, outcome, leaked: await carriedChannelData(conn, s) };
}
