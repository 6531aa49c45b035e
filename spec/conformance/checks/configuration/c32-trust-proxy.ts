import { ConnectErrorData } from '../../../errors.ts';
import { HTTP_PATHS } from '../../../http.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { HttpProbe } from '../../http.ts';
import { withSiblingTarget } from '../sibling-target.ts';

/** The connection limit both targets run with during the check: small enough to reach, per client address. */
const TWO_PER_MINUTE = { connection: { points: 2, durationMs: 60_000 } };

export default defineCheck({
  id: 'C32',
  title: 'Behind a load balancer: X-Forwarded-For counts for the per-IP limit only through TRUST_PROXY hops; a forged header never does',
  group: 'Configuration',
  level: 'MUST',
  rules: ['NODE-5', 'RATE-1'],
  needs: ['harness-started'],
  timeoutMs: 150_000, // a second target starts within it (slow on a loaded machine)
  async run(ctx: CheckContext) {
    // Without TRUST_PROXY (the target as started): the harness's handshakes all come from 127.0.0.1.
    await limitConnections(ctx, ctx.http);
    try {
      const plain = (user: string, header: string) => handshake(ctx, ctx.target.url, user, header);
      ctx.expect((await plain('forger', '198.51.100.1')) === 'connected', 'without TRUST_PROXY: handshake 1 of 2 (X-Forwarded-For 198.51.100.1) connects', 'see frames');
      ctx.expect((await plain('forger', '198.51.100.2')) === 'connected', 'without TRUST_PROXY: handshake 2 of 2 (X-Forwarded-For 198.51.100.2) connects', 'see frames');
      const third = await plain('forger', '198.51.100.3');
      ctx.expect(third === 'RATE_LIMITED', 'without TRUST_PROXY: handshake 3 is RATE_LIMITED whatever X-Forwarded-For claims (the header is ignored)', third);
    } finally {
      await ctx.relaxLimits();
    }

    // With TRUST_PROXY=1: the harness is the load balancer; the client is the header's last address.
    await withSiblingTarget(ctx, { TRUST_PROXY: '1' }, async (sibling) => {
      await limitConnections(ctx, new HttpProbe(sibling.url, ctx.recorder));
      const behind = (user: string, header: string) => handshake(ctx, sibling.url, user, header);
      ctx.expect((await behind('alice', '198.51.100.1')) === 'connected', 'TRUST_PROXY=1: client 198.51.100.1, handshake 1 of 2 connects', 'see frames');
      // The client wrote 203.0.113.9 itself; the load balancer appended the address it saw.
      const spoofed = await behind('alice', '203.0.113.9, 198.51.100.1');
      ctx.expect(spoofed === 'connected', 'TRUST_PROXY=1: handshake 2 of 2 of 198.51.100.1, with a forged 203.0.113.9 before it, connects', spoofed);
      const over = await behind('alice', '203.0.113.10, 198.51.100.1');
      ctx.expect(over === 'RATE_LIMITED', 'TRUST_PROXY=1: handshake 3 of 198.51.100.1 is RATE_LIMITED, a forged prefix does not dodge the limit', over);
      const other = await behind('bob', '198.51.100.2');
      ctx.expect(other === 'connected', 'TRUST_PROXY=1: another client (198.51.100.2) behind the same load balancer connects: it has its own count', other);
    });
  },
});

async function limitConnections(ctx: CheckContext, http: HttpProbe): Promise<void> {
  const res = await http.send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: ctx.adminToken, body: TWO_PER_MINUTE });
  ctx.require(res.status === 200, `PUT ${HTTP_PATHS.adminLimits} connection 2 per 60 s: 200`, String(res.status));
}

/** A handshake with an X-Forwarded-For header: 'connected', the refusal's code, or how it ended. */
async function handshake(ctx: CheckContext, url: string, user: string, forwardedFor: string): Promise<string> {
  const conn = await ctx.open(`${user} via ${forwardedFor}`, { url, extraHeaders: { 'x-forwarded-for': forwardedFor } });
  try {
    const outcome = await conn.connect({ token: (await ctx.user(user)).token });
    if (outcome.kind !== 'refused') return outcome.kind;
    const data = ConnectErrorData.safeParse(outcome.data);
    return data.success ? data.data.code : `refused without the spec's data (${outcome.message})`;
  } finally {
    conn.close();
  }
}
