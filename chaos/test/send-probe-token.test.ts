import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../spec/tokens.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';
import { SendProbe } from '../scenarios/dependencies/send-probe.ts';

/**
 * The dependency scenarios' send probe under tokens refreshed during the run (auth kind `tokens` with a
 * `refresh` command): the server ends its session at the token's exp (AUTH-5), and the probe connects
 * again with the freshest token and joins the run channel again, so its sends go on being answered ok.
 */
describe('the send probe with refreshed tokens', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer();
  }, 90_000);
  afterAll(async () => {
    await server?.dispose();
  });

  it('outlasts its first token: reconnected with a fresh one, its sends after the expiry acked', async () => {
    const TTL_SEC = 3;
    const sub = 'probe-refresh';
    let current = await mintToken(server.secret, { sub, ttlSec: TTL_SEC });
    // The run's refresh, as the token source does it: a fresh token a second before the last one expires.
    const refresher = setInterval(() => void mintToken(server.secret, { sub, ttlSec: TTL_SEC }).then((t) => (current = t)), 1_000);
    const probe = new SendProbe(server.url, () => current, sub, 'general');
    try {
      await probe.open();
      const openedAt = performance.now();
      probe.start();
      await sleep(TTL_SEC * 1_000 + 3_500);
      await probe.stop();
      const afterExpiry = probe.answers.filter((a) => a.at > openedAt + TTL_SEC * 1_000 + 1_500);
      const shown = JSON.stringify(probe.answers.map((a) => a.code ?? 'ok'));
      expect(afterExpiry.length, shown).toBeGreaterThan(2);
      expect(afterExpiry.every((a) => a.ok), shown).toBe(true);
    } finally {
      clearInterval(refresher);
    }
  }, 60_000);
});
