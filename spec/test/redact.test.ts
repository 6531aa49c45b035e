import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsIn } from '../redact.ts';

const password = fc.stringMatching(/^[A-Za-z0-9]{6,20}$/);

describe('redactUrl (AUTH-8)', () => {
  it('never shows the password of a URL, whatever its scheme', () => {
    fc.assert(
      fc.property(fc.constantFrom('postgres', 'postgresql', 'redis', 'rediss', 'mysql', 'https', 'http'), password, (scheme, pw) => {
        const url = `${scheme}://admin:${pw}@db.internal:1234/chat`;
        const shown = redactUrl(url);
        return !shown.includes(pw) && shown.includes('admin:***@db.internal:1234');
      }),
    );
  });

  it('hides credential query parameters and unparsable shapes', () => {
    expect(redactUrl('postgres://db/chat?password=S3cr3t&sslmode=require')).toBe('postgres://db/chat?password=***&sslmode=require');
    expect(redactUrl('https://idp.example/jwks?token=S3cr3t')).not.toContain('S3cr3t');
    expect(redactUrl('admin:S3cr3t@db')).not.toContain('S3cr3t');
    expect(redactUrl('not a url S3cr3t')).not.toContain('S3cr3t');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});

describe('redactUrlsIn', () => {
  it('removes every URL password from free text and leaves the rest as written', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), password), { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.map(([words, pw]) => `${words.replace(/[\s\S]*:\/\//g, '')} postgres://u:${pw}@h:5/db`).join(' ');
        const out = redactUrlsIn(text);
        return parts.every(([, pw]) => !out.includes(`:${pw}@`));
      }),
    );
    expect(redactUrlsIn('DATABASE_URL postgres://u@h/db did not answer')).toBe('DATABASE_URL postgres://u@h/db did not answer');
    expect(redactUrlsIn('got "mysql://admin:S3cr3tP4ss@db.internal:3306/chat"')).toBe('got "mysql://admin:***@db.internal:3306/chat"');
    expect(redactUrlsIn('bad redis://u:p@ss:w0rd@h:1 here')).not.toContain('w0rd');
  });
});
