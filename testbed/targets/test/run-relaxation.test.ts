import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_PATHS, SpecDocument } from '../../../spec/index.ts';
import { createChannel, getJson } from '../../../testing/admin.ts';
import { startServer, type ServerProcess } from '../../../testing/server-process.ts';
import { connectUser } from '../../clients/chat-client.ts';
import { REPO_ROOT } from '../../repo-root.ts';
import { postgresAvailability, redisAvailability, type PostgresService, type RedisService } from '../../services/index.ts';
import { RunRelaxation } from '../run-relaxation.ts';
import { openTarget } from '../run-target.ts';
import { hs256TokenSource } from '../token-source.ts';
import { sendMessages } from '../../../testing/send-messages.ts';

const SECRET = 'r'.repeat(40);
/** The reference's message:send limit (RATE-1), which the runner relaxes for its own users. */
const SEND_POINTS = 30;

describe('a runner attached to a --target relaxes the limits for its own users only (FIX-4)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ secret: SECRET });
    await createChannel(server, { id: 'relax-run' });
  }, 90_000);
  afterAll(async () => {
    await server?.dispose();
  });

  it("lifts message:send for the run's users while it runs; another user keeps the limit; the end deletes it and leaves the table alone", async () => {
    const target = await openTarget({ kind: 'url', url: server.url, tokens: hs256TokenSource(SECRET) }, { relaxLimits: true });
    let closed = false;
    try {
      expect(target.notes.join('\n')).toMatch(/relaxed for the run's own users only \(and handshakes from 127\.0\.0\.1, this runner as the target sees it\) with FIX-4 relaxation sockproof-run-[0-9a-f]{12}/);
      expect(target.notes.join('\n')).not.toContain(SECRET);
      await target.access().admit!(['run-user']);
      const runUser = await connectUser(server, 'run-user');
      const stranger = await connectUser(server, 'stranger');
      await runUser.call('channel:join', { channelId: 'relax-run' });
      await stranger.call('channel:join', { channelId: 'relax-run' });
      expect(await sendMessages(runUser, 'relax-run', 'run', SEND_POINTS + 5)).toEqual(Array(SEND_POINTS + 5).fill('ok'));
      expect((await sendMessages(stranger, 'relax-run', 'stranger', SEND_POINTS + 1)).at(-1)).toBe('RATE_LIMITED');
      const notes = await target.close();
      closed = true;
      expect(notes.join('\n')).toMatch(/relaxation sockproof-run-[0-9a-f]{12} ended with DELETE; the other users never had theirs relaxed/);
      // Over: the run's user is held to the table again, which nobody changed.
      expect((await sendMessages(runUser, 'relax-run', 'after', SEND_POINTS + 1)).at(-1)).toBe('RATE_LIMITED');
      const { body } = await getJson(`${server.url}${HTTP_PATHS.spec}`, SpecDocument);
      expect(body.limits.rateLimits['message:send'].points).toBe(SEND_POINTS);
      runUser.close();
      stranger.close();
    } finally {
      if (!closed) await target.close();
    }
  }, 60_000);

  /** A load run against the server, once it sends: its relaxation's log line, and how to stop it. */
  async function sendingLoadRun(): Promise<{ relaxed: Record<string, unknown>; stop(signal: NodeJS.Signals): Promise<string> }> {
    const earlier = new Set(server.logLines().filter((l) => l.msg === 'rate limits relaxed for some users').map((l) => l.relaxation));
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/sockproof.mjs'), 'load', 'realtime', '--target', server.url, '--jwt-secret', SECRET, '--clients', '3', '--duration', '60', '--rate', '2'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const stop = async (signal: NodeJS.Signals) => {
      child.kill(signal);
      await exited;
      clearTimeout(killer);
      return stdout;
    };
    try {
      const relaxed = await server.waitForLog((l) => l.msg === 'rate limits relaxed for some users' && !earlier.has(l.relaxation), 30_000);
      await waitUntil(() => stderr.includes('sending for'), 30_000);
      return { relaxed, stop };
    } catch (err) {
      await stop('SIGKILL');
      throw err;
    }
  }

  it('Ctrl-C during a load run deletes the relaxation before the runner exits', async () => {
    const run = await sendingLoadRun();
    expect(await run.stop('SIGINT')).toMatch(/ended with DELETE/);
    await server.waitForLog((l) => l.msg === 'relaxation of rate limits ended' && l.relaxation === run.relaxed.relaxation, 5_000);
    expect(run.relaxed).toMatchObject({ ttlMs: 60_000, limits: ['connection', 'message:send', 'channel:history', 'channel:join'] });
  }, 90_000);

  it('a runner killed outright leaves a relaxation that ends by itself: made with a 60 s ttl, never deleted (C35 proves the expiry)', async () => {
    const run = await sendingLoadRun();
    await run.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(run.relaxed).toMatchObject({ ttlMs: 60_000 });
    expect(server.logLines().filter((l) => l.msg === 'relaxation of rate limits ended' && l.relaxation === run.relaxed.relaxation)).toEqual([]);
  }, 90_000);
});

describe('a target without per-user relaxations keeps its limits for the run', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ secret: SECRET, env: { ADMIN_FIXTURES: 'off' } });
  }, 90_000);
  afterAll(async () => {
    await server?.dispose();
  });

  it('says so and relaxes nothing', async () => {
    const target = await openTarget({ kind: 'url', url: server.url, tokens: hs256TokenSource(SECRET) }, { relaxLimits: true });
    expect(target.notes.join('\n')).toMatch(/rate limits: not relaxed: the target serves no fixtures/);
    expect(await target.close()).toEqual([]);
  }, 30_000);
});

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a long run keeps its relaxation alive past the ttl by renewing it', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ secret: SECRET });
    await createChannel(server, { id: 'relax-renew' });
  }, 90_000);
  afterAll(async () => {
    await server?.dispose();
  });

  it('is still in force two ttls after it was made (renewed every ttl/3), and gone after end()', async () => {
    const access = { url: server.url, tokens: hs256TokenSource(SECRET) };
    const ttlMs = 3_000;
    const warnings: string[] = [];
    const relaxation = await RunRelaxation.open(access, { 'message:send': { points: 1_000, durationMs: 60_000 } }, { ttlMs, warn: (l) => warnings.push(l) });
    try {
      await relaxation.admit(['long-runner']);
      const runner = await connectUser(server, 'long-runner');
      await runner.call('channel:join', { channelId: 'relax-renew' });
      await new Promise((r) => setTimeout(r, 2 * ttlMs));
      expect(await sendMessages(runner, 'relax-renew', 'late', SEND_POINTS + 2)).toEqual(Array(SEND_POINTS + 2).fill('ok'));
      expect(await relaxation.end()).toMatch(/ended with DELETE;/);
      expect((await sendMessages(runner, 'relax-renew', 'over', SEND_POINTS + 1)).at(-1)).toBe('RATE_LIMITED');
      runner.close();
    } finally {
      await relaxation.end();
    }
    expect(warnings).toEqual([]);
  }, 60_000);
});

const redis = await redisAvailability();
const postgres = await postgresAvailability();

describe.skipIf(redis.skip ?? postgres.skip)('a runner attached to one node of two relaxes its users on both', () => {
  let redisLease: RedisService;
  let pgLease: PostgresService;
  let nodes: ServerProcess[] = [];
  beforeAll(async () => {
    [redisLease, pgLease] = await Promise.all([redis.start(), postgres.start()]);
    const env = {
      REDIS_URL: redisLease.url,
      DATABASE_URL: pgLease.url,
      ...(redisLease.keyPrefix ? { REDIS_KEY_PREFIX: redisLease.keyPrefix } : {}),
    };
    nodes = await Promise.all([1, 2].map((n) => startServer({ secret: SECRET, env: { ...env, NODE_ID: `node-${n}` } })));
    await createChannel(nodes[0]!, { id: 'relax-two' });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.dispose()));
    await Promise.all([redisLease?.stop(), pgLease?.stop()]);
  });

  it("a user the runner admitted through node 1 sends past the limit on node 2 at once; another user there is held to it", async () => {
    const [one, two] = nodes as [ServerProcess, ServerProcess];
    const target = await openTarget({ kind: 'url', url: one.url, tokens: hs256TokenSource(SECRET) }, { relaxLimits: true });
    try {
      await target.admit(['two-node-runner']);
      const runner = await connectUser(two, 'two-node-runner');
      const other = await connectUser(two, 'two-node-other');
      for (const c of [runner, other]) await c.call('channel:join', { channelId: 'relax-two' });
      expect(await sendMessages(runner, 'relax-two', 'runner', SEND_POINTS + 5)).toEqual(Array(SEND_POINTS + 5).fill('ok'));
      expect((await sendMessages(other, 'relax-two', 'other', SEND_POINTS + 1)).at(-1)).toBe('RATE_LIMITED');
      runner.close();
      other.close();
    } finally {
      expect((await target.close()).join('\n')).toMatch(/ended with DELETE;/);
    }
  }, 60_000);
});
