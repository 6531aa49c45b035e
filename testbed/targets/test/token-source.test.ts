import fc from 'fast-check';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { hs256TokenSource, noTokenSource, RUNNER_ADMIN_SUB, suppliedTokenSource } from '../token-source.ts';

const SECRET = 'token-source-test-secret-0123456789abcdef';

describe('token sources', () => {
  it('supplied tokens: any run of as many asks as there are users, wherever it starts, gets each user once; the admin token is the one given', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 40 }), async (n, before) => {
        const users = Array.from({ length: n }, (_, i) => ({ sub: `user-${i}`, token: `token-of-user-${i}` }));
        const source = suppliedTokenSource(users, 'the-admin-token');
        expect(source.users).toBe(n);
        // Earlier scenarios took `before` users; this one asks for n with subs of its own choosing.
        for (let i = 0; i < before; i++) await source.user({ sub: `earlier-${i}`, ttlSec: 60 });
        const got = [];
        for (let i = 0; i < n; i++) got.push(await source.user({ sub: `asked-${i}`, ttlSec: 60 }));
        expect(new Set(got.map((u) => u.sub)).size).toBe(n);
        for (const u of got) expect(u.token).toBe(`token-of-${u.sub}`);
        expect(await source.admin()).toBe('the-admin-token');
      }),
      { numRuns: 50 },
    );
  });

  it('HS256: the sub asked for, any number of users; the runner\'s admin token has the admin role', async () => {
    const source = hs256TokenSource(SECRET);
    expect(source.users).toBe(Number.POSITIVE_INFINITY);
    const key = new TextEncoder().encode(SECRET);
    const user = await source.user({ sub: 'u-1', ttlSec: 60 });
    expect(user.sub).toBe('u-1');
    expect((await jwtVerify(user.token, key)).payload).toMatchObject({ sub: 'u-1', roles: ['member'] });
    expect((await jwtVerify(await source.admin(), key)).payload).toMatchObject({ sub: RUNNER_ADMIN_SUB, roles: ['admin'] });
  });

  it('no tokens: asking says why', async () => {
    const none = noTokenSource('no tokens: --target was given without --jwt-secret');
    await expect(none.admin()).rejects.toThrow(/without --jwt-secret/);
    await expect(none.user({ sub: 'x', ttlSec: 1 })).rejects.toThrow(/without --jwt-secret/);
  });
});
