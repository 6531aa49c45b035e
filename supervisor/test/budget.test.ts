// The retry budget: a server that cannot be kept up ends in a terminal `failed` state with the
// reason; one that stays healthy long enough has its failures forgiven.
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../proc-identity.ts';
import { cleanUp, fixtureCommand, leftovers, makeStateDir, metricsOf, runCli, startForeground, supervisorEnv, supervisorLog, supervisorPidOf, waitHealthyServer } from './harness.ts';

let cleanup: () => void = () => {};
afterEach(() => cleanup());

describe('retry budget', { timeout: 150_000 }, () => {
  it('a server that crashes at once every time exhausts the budget: start exits 1, status reports failed with the reason', async () => {
    const dir = makeStateDir();
    cleanup = () => cleanUp(dir);
    const env = supervisorEnv(dir, { SOCKETIO_MAX_RETRIES: '2', SOCKETIO_INITIAL_RETRY_DELAY: '0.05', SOCKETIO_MAX_RETRY_DELAY: '0.2' });
    const start = await runCli(['daemon', 'start', '--', ...fixtureCommand('crash-at-once.mjs')], env);
    expect(start.code).toBe(1);
    expect(start.stdout).toBe('');
    expect(start.stderr).toMatch(/^sockproof: server failed: gave up after 3 failures in a row \(SOCKETIO_MAX_RETRIES=2\); last: server exited with code 3 before it became healthy \(see .*\)\n$/);

    const status = await runCli(['daemon', 'status'], env);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^status: +failed \(gave up after 3 failures/m);
    expect(status.stdout).toMatch(/^last failure: .* exit code 3: server exited with code 3 before it became healthy$/m);
    expect(status.stdout).toContain('  | fixture: cannot open the database (deliberate crash)');
    const json = JSON.parse((await runCli(['daemon', 'status', '--json'], env)).stdout);
    expect(json).toMatchObject({ status: 'failed', restarts: 2, total_failures: 3, supervisorPid: null, serverPid: null, port: null });
    expect(json.last_failure).toMatchObject({ reason: 'startup-exit', exit_code: 3, signal: null, stderr_tail: ['fixture: cannot open the database (deliberate crash)'] });
    expect(supervisorPidOf(dir)).toBeUndefined();
    expect(leftovers(dir)).toEqual([]);
  });

  it('a server command that does not exist is refused at once, not retried for minutes', async () => {
    const dir = makeStateDir();
    cleanup = () => cleanUp(dir);
    const start = await runCli(['daemon', 'start', '--', '/nonexistent/chat-server', '--port', '1'], supervisorEnv(dir));
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(/^sockproof: server failed: gave up at once: server could not be started: spawn \/nonexistent\/chat-server ENOENT \(see .*\)\n$/);
    expect(metricsOf(dir)).toMatchObject({ status: 'failed', restarts: 0, total_failures: 1, last_failure: { reason: 'spawn-error' } });
  });

  it('a server that never becomes healthy within the start-up timeout ends failed', async () => {
    const dir = makeStateDir();
    const env = supervisorEnv(dir, { SOCKETIO_MAX_RETRIES: '1', SOCKETIO_STARTUP_TIMEOUT: '0.8', SOCKETIO_SHUTDOWN_TIMEOUT: '1' });
    const supervisor = startForeground(env, fixtureCommand('never-healthy.mjs'));
    cleanup = () => cleanUp(dir, [supervisor]);
    expect(await supervisor.exitedWith).toEqual({ code: 1, signal: null });
    const m = metricsOf(dir)!;
    expect(m).toMatchObject({ status: 'failed', restarts: 1, total_failures: 2, health_checks_passed: 0 });
    expect(m.last_failure).toMatchObject({ reason: 'startup-timeout', message: 'server not healthy within SOCKETIO_STARTUP_TIMEOUT=0.8s (last check: HTTP 503)' });
    expect(m.status_reason).toMatch(/^gave up after 2 failures in a row \(SOCKETIO_MAX_RETRIES=1\)/);
    expect(leftovers(dir)).toEqual([]);
  });

  it('forgives failures once the server has stayed healthy: crashes spaced out never exhaust the budget', async () => {
    const dir = makeStateDir();
    // Stable after max(SOCKETIO_MAX_RETRY_DELAY, interval) = 0.4 s; budget of one restart.
    const env = supervisorEnv(dir, { SOCKETIO_MAX_RETRIES: '1', SOCKETIO_INITIAL_RETRY_DELAY: '0.1', SOCKETIO_MAX_RETRY_DELAY: '0.4', SOCKETIO_HEALTH_CHECK_INTERVAL: '0.1' });
    const supervisor = startForeground(env, fixtureCommand('healthy-server.mjs'));
    cleanup = () => cleanUp(dir, [supervisor]);
    let pid = await waitHealthyServer(dir);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 900));
      process.kill(pid, 'SIGKILL');
      pid = await waitHealthyServer(dir, pid);
    }
    expect(metricsOf(dir)).toMatchObject({ status: 'healthy', restarts: 3, total_failures: 3 });
    expect(supervisorLog(dir).filter((l) => l.msg.startsWith('server stable again')).length).toBeGreaterThanOrEqual(2);
    expect(isAlive(supervisor.pid!)).toBe(true);
    supervisor.kill('SIGTERM');
    expect(await supervisor.exitedWith).toEqual({ code: 0, signal: null });
  });
});
