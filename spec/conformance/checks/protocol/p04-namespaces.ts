import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';

export default defineCheck({
  id: 'P04',
  title: 'Namespaces: "/" serves the chat; an unknown namespace is refused with CONNECT_ERROR, the session surviving',
  group: 'Protocol',
  level: 'MUST',
  rules: ['TRN-1', 'AUTH-7'],
  foundation: 'socket.io',
  async run(ctx: CheckContext) {
    const user = await ctx.user('ns');
    const conn = await ctx.open('ns');
    const unknown = await conn.connect({ token: user.token }, { nsp: '/no-such-namespace' });
    ctx.expect(unknown.kind === 'refused', 'CONNECT to an unknown namespace answered CONNECT_ERROR', JSON.stringify(unknown));
    const main = await conn.connect({ token: user.token });
    ctx.expect(main.kind === 'connected', 'the same session then connects to "/"', JSON.stringify(main));
  },
});
