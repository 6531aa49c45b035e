// connectToxiproxy: our own fault proxy by default, an outside one when TOXIPROXY_URL says so.
import { describe, expect, it } from 'vitest';
import { connectToxiproxy } from '../connect.ts';
import { startFaultProxy } from '../server.ts';

describe('connectToxiproxy', () => {
  it('starts a private fault proxy on 127.0.0.1 when TOXIPROXY_URL is unset, and close() stops it', async () => {
    const connection = await connectToxiproxy({});
    expect(connection.external).toBe(false);
    expect(connection.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await connection.toxiproxy.createProxy({ name: 'x', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    expect(Object.keys(await connection.toxiproxy.getAll())).toEqual(['x']);
    await connection.close();
    await expect(connection.toxiproxy.getAll()).rejects.toThrow();
  });

  it('drives the server at TOXIPROXY_URL without owning it', async () => {
    const outside = await startFaultProxy({ host: '127.0.0.1', port: 0 });
    try {
      const connection = await connectToxiproxy({ TOXIPROXY_URL: `${outside.url}/` });
      expect(connection).toMatchObject({ external: true, url: outside.url });
      await connection.close();
      expect(await connection.toxiproxy.getAll()).toEqual({});
    } finally {
      await outside.close();
    }
  });

  it('fails with one clear error when TOXIPROXY_URL does not answer', async () => {
    const closed = await startFaultProxy({ host: '127.0.0.1', port: 0 });
    await closed.close();
    await expect(connectToxiproxy({ TOXIPROXY_URL: closed.url })).rejects.toThrow(/TOXIPROXY_URL=.* did not answer GET \/version/);
  });
});
