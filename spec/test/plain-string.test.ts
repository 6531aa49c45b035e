import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttachmentInput, MessageId, UserId, defaultDisplayName, DisplayName, isPlainString } from '../index.ts';

describe('plain strings (TEXT-6)', () => {
  it('a user id is accepted exactly when it is a plain string of 1-128 UTF-16 units', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 140 }), (s) => {
        const plain = !/[\u0000-\u001f\u007f-\u009f]/.test(s) && s.isWellFormed();
        return UserId.safeParse(s).success === (plain && s.length >= 1 && s.length <= 128) && isPlainString(s) === plain;
      }),
    );
  });

  it('refuses NUL, controls and lone surrogates in message ids and attachment urls', () => {
    for (const bad of ['m\u0000', 'm\t', 'm\ud800', 'm\u0085']) expect(MessageId.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    const att = (url: string) => ({ url, name: 'n', size: 1, mimeType: 'application/pdf' });
    for (const bad of ['https://example.com/\u0000', 'https://example.com/\udc00', 'https://example.com/a\nb']) {
      expect(AttachmentInput.safeParse(att(bad)).success, JSON.stringify(bad)).toBe(false);
    }
    expect(AttachmentInput.safeParse(att('https://example.com/ok?q=1')).success).toBe(true);
  });

  it('the default display name of any valid sub is a valid display name (AUTH-4)', () => {
    const subs = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 128 }), fc.string({ unit: fc.constantFrom('\u0958', '\ufb1d', '\u1e9b\u0323', 'a'), minLength: 1, maxLength: 128 }));
    fc.assert(fc.property(subs.filter((s) => UserId.safeParse(s).success), (sub) => DisplayName.safeParse(defaultDisplayName(sub)).success));
    // NFC expands U+0958 to two code points: 128 of them would not fit if cut before normalising.
    expect(DisplayName.safeParse(defaultDisplayName('\u0958'.repeat(128))).success).toBe(true);
  });
});
