import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { HttpProbe, type HttpExchange } from '../../http.ts';
import { withSiblingTarget } from '../sibling-target.ts';

/** The one origin the second target allows; the others are as a browser on another site would send. */
const ALLOWED = 'https://chat.example.test';
const OTHER = 'https://evil.example.test';
const CORS_HEADER = 'access-control-allow-origin';

/**
 * TRN-7 (SHOULD): a browser's handshake carries its page's Origin, a non-browser client none. The
 * Engine.IO polling handshake is the first request of every session, so it is the one to refuse.
 */
export default defineCheck({
  id: 'S19',
  title: 'With ALLOWED_ORIGINS, a handshake from another Origin is refused 403, a listed or absent Origin accepted; without it no CORS headers are sent (a second target is started with `ALLOWED_ORIGINS`)',
  group: 'Spec rules',
  level: 'SHOULD',
  rules: ['TRN-7'],
  needs: ['harness-started'],
  withoutFixtures: true,
  timeoutMs: 150_000, // a second target starts within it (slow on a loaded machine)
  async run(ctx: CheckContext) {
    const handshake = (http: HttpProbe, origin: string | undefined) =>
      http.send({ path: `${ctx.transportPath.replace(/\/?$/, '/')}?EIO=4&transport=polling`, headers: origin ? { origin } : {} });
    const opened = (res: HttpExchange) => res.status === 200 && res.text.startsWith('0{');

    if (ctx.target.process!.env.ALLOWED_ORIGINS) ctx.recorder.note('the target itself runs with ALLOWED_ORIGINS: its no-CORS case is not observed');
    else {
      const plain = await handshake(ctx.http, OTHER);
      ctx.expect(opened(plain), `without ALLOWED_ORIGINS: a handshake with Origin ${OTHER} opens a session`, `${plain.status} ${plain.text.slice(0, 80)}`);
      ctx.expect(plain.headers.get(CORS_HEADER) === null, 'without ALLOWED_ORIGINS: no CORS header in the answer', `${CORS_HEADER}: ${plain.headers.get(CORS_HEADER)}`);
    }

    await withSiblingTarget(ctx, { ALLOWED_ORIGINS: ALLOWED }, async (sibling) => {
      const http = new HttpProbe(sibling.url, ctx.recorder);
      const listed = await handshake(http, ALLOWED);
      ctx.expect(opened(listed), `ALLOWED_ORIGINS=${ALLOWED}: a handshake with that Origin opens a session`, `${listed.status} ${listed.text.slice(0, 80)}`);
      const other = await handshake(http, OTHER);
      ctx.expect(other.status === 403, `ALLOWED_ORIGINS=${ALLOWED}: a handshake with Origin ${OTHER} is refused 403`, `${other.status} ${other.text.slice(0, 80)}`);
      ctx.expect(other.headers.get(CORS_HEADER) !== OTHER && other.headers.get(CORS_HEADER) !== '*', `… and the answer does not let ${OTHER} read it`, `${CORS_HEADER}: ${other.headers.get(CORS_HEADER)}`);
      const none = await handshake(http, undefined);
      ctx.expect(opened(none), `ALLOWED_ORIGINS=${ALLOWED}: a handshake without Origin (a non-browser client) opens a session`, `${none.status} ${none.text.slice(0, 80)}`);
    });
  },
});
