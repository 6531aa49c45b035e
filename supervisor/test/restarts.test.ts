// Crashes of the server by real signals: each leads to a restart after a jittered, growing delay,
// and the metrics file stays readable and counts what happened.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsFile } from '../metrics-file.ts';
import { isAlive } from '../proc-identity.ts';
import { cleanUp, fixtureCommand, leftovers, makeStateDir, metricsOf, startForeground, supervisorEnv, supervisorLog, waitHealthyServer } from './harness.ts';

let cleanup: () => void = () => {};
afterEach(() => cleanup());

/** Reads the metrics file as fast as it can, as a monitoring agent would, and counts bad reads. */
function watchMetricsFile(path: string) {
  const seen = { reads: 0, bad: [] as string[], statuses: new Set<string>() };
  let running = true;
  const loop = () => {
    if (!running) return;
    try {
      const text = readFileSync(path, 'utf8');
      seen.reads++;
      const parsed = MetricsFile.safeParse(JSON.parse(text));
      if (parsed.success) seen.statuses.add(parsed.data.status);
      else seen.bad.push(text);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') seen.bad.push(String(err));
    }
    setTimeout(loop, 1);
  };
  loop();
  return { seen, stop: () => (running = false) };
}

describe('restart on crash', { timeout: 150_000 }, () => {
  it('restarts after SIGKILL, SIGSEGV and SIGABRT with growing jittered delays; metrics match', async () => {
    const dir = makeStateDir();
    const env = supervisorEnv(dir, { SOCKETIO_INITIAL_RETRY_DELAY: '0.2', SOCKETIO_MAX_RETRY_DELAY: '10', SOCKETIO_MAX_RETRIES: '5' });
    const supervisor = startForeground(env, fixtureCommand('healthy-server.mjs'));
    const watcher = watchMetricsFile(join(dir, 'socketio-metrics.json'));
    cleanup = () => (watcher.stop(), cleanUp(dir, [supervisor]));

    let pid = await waitHealthyServer(dir);
    const recoveryMs: number[] = [];
    for (const signal of ['SIGKILL', 'SIGSEGV', 'SIGABRT'] as const) {
      const t0 = Date.now();
      process.kill(pid, signal);
      const next = await waitHealthyServer(dir, pid);
      recoveryMs.push(Date.now() - t0);
      expect(isAlive(pid)).toBe(false);
      pid = next;
    }
    console.log(`signal -> healthy again (fixture server, ms): ${recoveryMs.join(', ')}`);

    const m = metricsOf(dir)!;
    expect(m).toMatchObject({ status: 'healthy', restarts: 3, total_failures: 3, health_checks_failed: 0 });
    expect(m.last_failure).toMatchObject({ reason: 'exit', signal: 'SIGABRT', exit_code: null, message: 'server was killed by SIGABRT' });
    expect(m.health_checks_passed).toBeGreaterThanOrEqual(4);

    const log = supervisorLog(dir);
    expect(log.filter((l) => l.msg.startsWith('server failed')).map((l) => (l.failure as { signal: string }).signal)).toEqual(['SIGKILL', 'SIGSEGV', 'SIGABRT']);
    const backoffs = log.filter((l) => l.msg === 'restarting server after backoff') as unknown as Array<{ time: number; attempt: number; delayMs: number; ceilingMs: number }>;
    // min(max, initial × factor^attempt): 200, 400, 800 ms; each delay drawn below its ceiling.
    expect(backoffs.map((b) => b.ceilingMs)).toEqual([200, 400, 800]);
    expect(backoffs.map((b) => b.attempt)).toEqual([1, 2, 3]);
    for (const b of backoffs) expect(b.delayMs).toBeGreaterThanOrEqual(0), expect(b.delayMs).toBeLessThan(b.ceilingMs);
    // The supervisor really waited the drawn delay before starting the next server (20 ms timer slack).
    const starts = log.filter((l) => l.msg === 'server started');
    backoffs.forEach((b, i) => {
      const respawnAt = starts[i + 1]!.time;
      expect(respawnAt - b.time).toBeGreaterThanOrEqual(b.delayMs - 20);
      expect(respawnAt - b.time).toBeLessThan(b.delayMs + 3_000);
    });

    supervisor.kill('SIGTERM');
    expect(await supervisor.exitedWith).toEqual({ code: 0, signal: null });
    watcher.stop();
    expect(watcher.seen.bad).toEqual([]);
    expect(watcher.seen.reads).toBeGreaterThan(100);
    expect([...watcher.seen.statuses]).toEqual(expect.arrayContaining(['healthy', 'restarting', 'stopped']));
    expect(metricsOf(dir)).toMatchObject({ status: 'stopped', restarts: 3, total_failures: 3, uptime_seconds: 0 });
    expect(leftovers(dir)).toEqual([]);
  });

  it('detects a hung server (SIGSTOP) by its health checks and restarts it', async () => {
    const dir = makeStateDir();
    const env = supervisorEnv(dir, { SOCKETIO_HEALTH_CHECK_INTERVAL: '0.2', SOCKETIO_HEALTH_CHECK_TIMEOUT: '1', SOCKETIO_UNHEALTHY_THRESHOLD: '3', SOCKETIO_SHUTDOWN_TIMEOUT: '1' });
    const supervisor = startForeground(env, fixtureCommand('healthy-server.mjs'));
    const watcher = watchMetricsFile(join(dir, 'socketio-metrics.json'));
    cleanup = () => (watcher.stop(), cleanUp(dir, [supervisor]));

    const pid = await waitHealthyServer(dir);
    const before = metricsOf(dir)!;
    const t0 = Date.now();
    process.kill(pid, 'SIGSTOP');
    const next = await waitHealthyServer(dir, pid, 20_000);
    const tookMs = Date.now() - t0;
    console.log(`SIGSTOP -> restarted and healthy (ms): ${tookMs}`);
    // 3 checks × (0.2 s interval + 1 s timeout) before giving up on it, then a restart.
    expect(tookMs).toBeGreaterThan(3 * 1000);
    expect(isAlive(pid)).toBe(false);
    expect(next).not.toBe(pid);

    const m = metricsOf(dir)!;
    expect(m.health_checks_failed - before.health_checks_failed).toBe(3);
    expect(m).toMatchObject({ restarts: 1, total_failures: 1 });
    expect(m.last_failure).toMatchObject({ reason: 'unhealthy', signal: null });
    expect(m.last_failure!.message).toMatch(/^3 health checks in a row failed .*no answer within 1000 ms/);
    expect([...watcher.seen.statuses]).toEqual(expect.arrayContaining(['healthy', 'unhealthy', 'restarting']));
    watcher.stop();
    expect(watcher.seen.bad).toEqual([]);

    supervisor.kill('SIGINT');
    expect(await supervisor.exitedWith).toEqual({ code: 0, signal: null });
    expect(leftovers(dir)).toEqual([]);
  });

  it('SOCKETIO_RESTART=on-failure: exit 1 is restarted; exit 0 leaves the server stopped, uncounted, and the supervisor exits 0', async () => {
    const dir = makeStateDir();
    const env = supervisorEnv(dir, { SOCKETIO_RESTART: 'on-failure', SOCKETIO_INITIAL_RETRY_DELAY: '0.2' });
    const supervisor = startForeground(env, fixtureCommand('healthy-server.mjs'));
    cleanup = () => cleanUp(dir, [supervisor]);
    const exitWith = async (code: number) => {
      const port = Number(readFileSync(join(dir, 'socketio-server.port'), 'utf8').trim());
      await fetch(`http://127.0.0.1:${port}/exit/${code}`, { method: 'POST' });
    };

    const first = await waitHealthyServer(dir);
    await exitWith(1);
    const second = await waitHealthyServer(dir, first);
    expect(metricsOf(dir)).toMatchObject({ restarts: 1, total_failures: 1 });
    await exitWith(0);
    expect(await supervisor.exitedWith).toEqual({ code: 0, signal: null });
    expect(isAlive(second)).toBe(false);
    expect(metricsOf(dir)).toMatchObject({
      status: 'stopped',
      status_reason: 'server exited with code 0: not restarted (SOCKETIO_RESTART=on-failure restarts only a non-zero exit or a signal)',
      restarts: 1,
      total_failures: 1,
    });
    expect(supervisorLog(dir).map((l) => l.msg)).toContain('server exited with code 0; not restarted');
    expect(leftovers(dir)).toEqual([]);
  });
});
