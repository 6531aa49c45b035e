import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CloseHooks } from '../close-hooks.ts';

const silent = pino({ level: 'silent' });

describe('close hooks (teardown registered where a resource is opened)', () => {
  it('closes last opened first, each exactly once, even when some fail', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), async (fails) => {
        const hooks = new CloseHooks();
        const closed: number[] = [];
        fails.forEach((fail, i) =>
          hooks.add(`r${i}`, async () => {
            closed.push(i);
            if (fail) throw new Error(`r${i} failed`);
          }),
        );
        await hooks.closeAll(silent);
        await hooks.closeAll(silent);
        expect(closed).toEqual(fails.map((_, i) => i).reverse());
      }),
    );
  });

  it('refuses a hook added after close, so a late resource cannot leak silently', async () => {
    const hooks = new CloseHooks();
    await hooks.closeAll(silent);
    expect(() => hooks.add('late', () => undefined)).toThrow(/after close/);
  });
});
