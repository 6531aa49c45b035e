import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionEnded, mintToken } from '../../spec/index.ts';
import { connectUser } from '../../testbed/clients/chat-client.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server?.dispose());

/** Sends `count` oversized POSTs on one keep-alive connection and collects the status lines (or the socket error). */
async function oversizedOnOneConnection(token: string, count: number): Promise<{ statuses: string[]; error: string | undefined }> {
  const body = 'x'.repeat(200 * 1024);
  const request = `POST /admin/channels HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const socket = connect(server.port, '127.0.0.1');
  let received = '';
  let error: string | undefined;
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  const statuses = () => received.match(/HTTP\/1\.1 \d{3}/g) ?? [];
  for (let i = 0; i < count; i++) {
    socket.write(request);
    const deadline = Date.now() + 10_000;
    while (statuses().length <= i && error === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
  socket.destroy();
  return { statuses: statuses(), error };
}

describe('a body over 64 KiB (HTTP-2, issue 11 finding 7)', () => {
  it('is answered 413 every time on the same keep-alive connection, never with a reset', async () => {
    const token = await mintToken(server.secret, { sub: 'big-body-admin', roles: ['admin'] });
    for (let round = 0; round < 3; round++) {
      const { statuses, error } = await oversizedOnOneConnection(token, 3);
      expect({ statuses, error }).toEqual({ statuses: Array(3).fill('HTTP/1.1 413'), error: undefined });
    }
  });
});

describe('a ban reason reaches the banned user encoded too (MOD-3, TEXT-4)', () => {
  it('session:ended carries reason and reasonHtml', async () => {
    const mod = await connectUser(server, 'reason-mod', ['moderator']);
    const victim = await connectUser(server, 'reason-victim');
    const reason = '<img src=x onerror=alert(1)> & "bye"';
    const ack = await mod.call('moderation:ban', { userId: 'reason-victim', reason, durationMs: 60_000 });
    expect(ack.ok).toBe(true);
    const ended = SessionEnded.parse(await victim.next('session:ended'));
    expect(ended).toMatchObject({ code: 'BANNED', reason, reasonHtml: '&lt;img src=x onerror=alert(1)&gt; &amp; &quot;bye&quot;' });
    mod.close();
  });
});
