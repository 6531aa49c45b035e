import { ConnectErrorData } from '../../../errors.ts';
import { HTTP_PATHS, SpecDocument } from '../../../http.ts';
import { mintToken, type TokenRequest } from '../../../tokens.ts';
import { CheckUnimplemented, defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { HttpProbe } from '../../http.ts';
import { withSiblingTarget } from '../sibling-target.ts';

/** The configuration under test; values no target of a run would use for its own tokens. */
const ISSUER = 'https://issuer.sockproof.invalid/c39';
const AUDIENCE = 'sockproof-c39-chat';
const TOLERANCE_SEC = 30;

export default defineCheck({
  id: 'C39',
  title: 'With JWT_ISSUER and JWT_AUDIENCE set, tokens with a wrong or missing iss or aud are refused UNAUTHORIZED and right ones accepted; JWT_CLOCK_TOLERANCE_SEC is honoured, and LOG_LEVEL=warn (a second target is started with them)',
  group: 'Security',
  level: 'MUST',
  rules: ['AUTH-3', 'CFG-5'],
  needs: ['harness-started'],
  timeoutMs: 150_000, // a second target starts within it (slow on a loaded machine)
  async run(ctx: CheckContext) {
    const secret = ctx.tokens.secret;
    if (!secret) throw new CheckUnimplemented('needs the target\'s HS256 secret to mint tokens with chosen iss and aud (not a --jwks-private-key run)');
    // LOG_LEVEL=warn too (CFG-5: honoured when set): this target's handshakes would log at info otherwise.
    const env = { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_CLOCK_TOLERANCE_SEC: String(TOLERANCE_SEC), LOG_LEVEL: 'warn' };
    await withSiblingTarget(ctx, env, async (sibling) => {
      const doc = SpecDocument.safeParse((await new HttpProbe(sibling.url, ctx.recorder).get(HTTP_PATHS.spec)).body);
      ctx.expect(
        doc.success && doc.data.auth.issuer === ISSUER && doc.data.auth.audience === AUDIENCE,
        `GET /spec publishes auth.issuer ${ISSUER} and auth.audience ${AUDIENCE} (SPECDOC-1)`,
        doc.success ? JSON.stringify(doc.data.auth) : 'no SpecDocument',
      );
      const now = Math.floor(Date.now() / 1000);
      const handshake = async (label: string, req: Omit<TokenRequest, 'sub'>): Promise<string> => {
        const token = await mintToken(secret, { sub: ctx.uniqueId('c39'), ...req });
        const conn = await ctx.open(label, { url: sibling.url });
        try {
          const outcome = await conn.connect({ token });
          if (outcome.kind !== 'refused') return outcome.kind;
          const data = ConnectErrorData.safeParse(outcome.data);
          return data.success ? data.data.code : `refused without the spec's data (${outcome.message})`;
        } finally {
          conn.close();
        }
      };
      const right = { issuer: ISSUER, audience: AUDIENCE };
      const cases: Array<{ what: string; req: Omit<TokenRequest, 'sub'>; want: 'connected' | 'UNAUTHORIZED' }> = [
        { what: 'the configured iss and aud', req: right, want: 'connected' },
        { what: 'another iss', req: { ...right, issuer: 'https://elsewhere.sockproof.invalid' }, want: 'UNAUTHORIZED' },
        { what: 'no iss', req: { audience: AUDIENCE }, want: 'UNAUTHORIZED' },
        { what: 'another aud', req: { ...right, audience: 'another-service' }, want: 'UNAUTHORIZED' },
        { what: 'no aud', req: { issuer: ISSUER }, want: 'UNAUTHORIZED' },
        // Clock tolerance (JWT_CLOCK_TOLERANCE_SEC 30): exp and nbf a little past the edge pass, far past it do not.
        { what: `exp 10 s ago (within the ${TOLERANCE_SEC} s tolerance)`, req: { ...right, ttlSec: -10 }, want: 'connected' },
        { what: `exp ${TOLERANCE_SEC * 4} s ago (past the tolerance)`, req: { ...right, ttlSec: -TOLERANCE_SEC * 4 }, want: 'UNAUTHORIZED' },
        { what: `nbf 10 s ahead (within the tolerance)`, req: { ...right, extra: { nbf: now + 10 } }, want: 'connected' },
        { what: `nbf ${TOLERANCE_SEC * 4} s ahead (past the tolerance)`, req: { ...right, extra: { nbf: now + TOLERANCE_SEC * 4 } }, want: 'UNAUTHORIZED' },
      ];
      for (const c of cases) {
        const got = await handshake(c.what, c.req);
        ctx.expect(got === c.want, `with JWT_ISSUER, JWT_AUDIENCE and JWT_CLOCK_TOLERANCE_SEC ${TOLERANCE_SEC} set: a token with ${c.what} is ${c.want === 'connected' ? 'accepted' : 'refused UNAUTHORIZED'} (AUTH-3)`, got);
      }
      const belowWarn = sibling.logLines.filter(isBelowWarn);
      ctx.expect(belowWarn.length === 0, 'with LOG_LEVEL=warn no log line below warn is written (CFG-5)', belowWarn.length === 0 ? 'none' : `${belowWarn.length}, e.g. ${belowWarn[0]!.slice(0, 160)}`);
    });
  },
});

/** A pino line (OPS-3) at trace, debug or info: numeric levels under 40, or the level's name. */
function isBelowWarn(line: string): boolean {
  let level: unknown;
  try {
    level = (JSON.parse(line) as { level?: unknown }).level;
  } catch {
    return false;
  }
  return typeof level === 'number' ? level < 40 : ['trace', 'debug', 'info'].includes(String(level));
}
